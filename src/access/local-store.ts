/**
 * The local lake's access requests and audit log, in its directory:
 *
 *   access/requests.json   every request as it is now (written whole, then renamed into place)
 *   access/audit.jsonl     the audit log: one event a line, appended, never rewritten
 *
 * A change is made under a lock (access/.lock, a folder made and removed), so two commands deciding at
 * once do not lose one another's change. Folders 0700, files 0600, as the rest of the lake.
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR, PRIVATE_FILE, writeFileAtomicSync } from '../local/lake-dir.ts';
import type { AccessEvent, AccessRequest, RequestStatus } from './model.ts';
import type { AccessStore } from './store.ts';

/** Version of requests.json. */
const REQUESTS_VERSION = 1;
const LOCK_WAIT_MS = 10_000;
/** A lock older than this was left by a process that died. */
const STALE_LOCK_MS = 60_000;

export function accessDir(lakeDir: string): string {
  return join(lakeDir, 'access');
}

export class LocalAccessStore implements AccessStore {
  private readonly dir: string;
  private readonly requestsFile: string;
  private readonly auditFile: string;

  constructor(lakeDir: string) {
    this.dir = accessDir(lakeDir);
    this.requestsFile = join(this.dir, 'requests.json');
    this.auditFile = join(this.dir, 'audit.jsonl');
  }

  private read(): AccessRequest[] {
    try {
      const doc = JSON.parse(readFileSync(this.requestsFile, 'utf8')) as {
        version: number;
        requests: AccessRequest[];
      };
      if (doc.version !== REQUESTS_VERSION || !Array.isArray(doc.requests)) {
        throw new Error(`${this.requestsFile} is not a requests file of version ${REQUESTS_VERSION}`);
      }
      return doc.requests;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  private write(requests: AccessRequest[]): void {
    writeFileAtomicSync(
      this.requestsFile,
      `${JSON.stringify({ version: REQUESTS_VERSION, requests }, null, 2)}\n`,
    );
  }

  private async locked<T>(fn: () => T): Promise<T> {
    mkdirSync(this.dir, { recursive: true, mode: PRIVATE_DIR });
    const lock = join(this.dir, '.lock');
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      try {
        mkdirSync(lock, { mode: PRIVATE_DIR });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (Date.now() > deadline) {
          rmSync(lock, { recursive: true, force: true });
          if (Date.now() > deadline + STALE_LOCK_MS) throw new Error(`${lock} is held by another command`);
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    try {
      return fn();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }

  async requests(): Promise<AccessRequest[]> {
    return this.read();
  }

  async get(id: string): Promise<AccessRequest | null> {
    return this.read().find((r) => r.id === id) ?? null;
  }

  create(request: AccessRequest): Promise<boolean> {
    return this.locked(() => {
      const all = this.read();
      if (all.some((r) => r.id === request.id)) return false;
      this.write([...all, request]);
      return true;
    });
  }

  update(request: AccessRequest, expected: RequestStatus): Promise<boolean> {
    return this.locked(() => {
      const all = this.read();
      const i = all.findIndex((r) => r.id === request.id);
      if (i < 0 || all[i].status !== expected) return false;
      all[i] = request;
      this.write(all);
      return true;
    });
  }

  append(event: AccessEvent): Promise<void> {
    return this.locked(() => {
      appendFileSync(this.auditFile, `${JSON.stringify(event)}\n`, { mode: PRIVATE_FILE });
    });
  }

  async events(): Promise<AccessEvent[]> {
    let text: string;
    try {
      text = readFileSync(this.auditFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as AccessEvent);
  }
}
