/**
 * Runs the bad-input cases through transformFile and checks what every report must hold, whatever the
 * file: the engine resolves within a time bound, the rows are accounted for, and the report tells the
 * steward what is wrong and what to do. Each test file runs one shard of the cases (so the two CPU
 * cores share the work) and prints the shard's summary: files tried, by outcome and by rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import { transformFile } from '../../src/engine/transform.ts';
import { expectAccounted, HASH_KEY, NOW } from '../engine/helpers.ts';
import { type BadCase, writeCases } from './cases.ts';

/** The longest one file may take. */
export const TIME_BOUND_MS = 30_000;

/** A rejection message must say what to do: it contains one of these verbs. */
export const ACTION_VERBS =
  /\b(upload|save|declare|fix|add|split|check|set|close|quote|remove|rename|keep|put|export)\b/;

const SHARDS = 2;

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} ran past ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** The checks every report must pass; throws with the case's name and the offending report part. */
export function expectActionable(c: BadCase, report: IngestReport): void {
  expectAccounted(report);
  if (report.status === 'rejected') {
    expect(report.errors.length, c.name).toBeGreaterThan(0);
    const { rule, message } = report.errors[0];
    expect(rule, c.name).toMatch(/^[a-zA-Z_]+$/);
    expect(message, c.name).not.toBe('');
    expect(message, c.name).not.toContain('/tmp/');
    expect(message, c.name).not.toContain('lake-transform-');
    expect(message, c.name).not.toContain(tmpdir());
    expect(message, c.name).toMatch(ACTION_VERBS);
  } else {
    for (const e of report.errors) {
      expect(e.rule, `${c.name}: ${e.message}`).toMatch(/^[a-zA-Z_]+$/);
      // A row error has its line; a verdict about the whole file or a column (a header problem) has none.
      if (e.line === null) expect(e.rule, `${c.name}: ${e.message}`).toMatch(/^(header|undeclared_pii)$/);
      else expect(e.line, c.name).toBeGreaterThan(0);
      expect(e.message, c.name).not.toBe('');
      expect(e.message, c.name).not.toContain('lake-transform-');
    }
    expect(report.rows.total, c.name).toBeGreaterThan(0);
  }
}

/** Registers the tests of one shard (0-based) of the bad-input cases. */
export function badInputShard(shard: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'lake-badinput-'));
  const out = mkdtempSync(join(tmpdir(), 'lake-badinput-out-'));
  let cases: BadCase[] = [];
  const tried: { name: string; status: string; rule: string | null; ms: number }[] = [];

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
    const byStatus: Record<string, number> = {};
    const byRule: Record<string, number> = {};
    for (const t of tried) {
      byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
      const rule = t.rule ?? '(no error)';
      byRule[rule] = (byRule[rule] ?? 0) + 1;
    }
    const slowest = [...tried].sort((a, b) => b.ms - a.ms)[0];
    const lines = [
      `bad input, shard ${shard + 1} of ${SHARDS}: ${tried.length} files tried`,
      `  by outcome: ${JSON.stringify(byStatus)}`,
      `  by first rule: ${JSON.stringify(byRule)}`,
      slowest ? `  slowest: ${slowest.name} (${slowest.ms} ms)` : '',
    ];
    console.log(lines.join('\n'));
  });

  describe(`bad input (shard ${shard + 1} of ${SHARDS})`, () => {
    it('generates its share of at least 200 malformed files', async () => {
      const all = await writeCases(dir);
      expect(all.length).toBeGreaterThanOrEqual(200);
      cases = all.filter((_, i) => i % SHARDS === shard);
    });

    it('ends every file in an actionable report within the time bound', async () => {
      const failures: string[] = [];
      for (const [i, c] of cases.entries()) {
        const started = Date.now();
        const outDir = join(out, String(i));
        try {
          const report = await withTimeout(
            transformFile({
              inputPath: c.path,
              contract: c.contract,
              sourceKey: `landing/${c.contract.department}/${c.contract.name}/${c.path.split('/').pop()}`,
              uploadId: `bad-${i}`,
              outDir,
              hashKey: HASH_KEY,
              now: NOW,
              ...(c.maxDecompressedBytes === undefined
                ? {}
                : { maxDecompressedBytes: c.maxDecompressedBytes }),
            }),
            TIME_BOUND_MS,
            c.name,
          );
          const ms = Date.now() - started;
          tried.push({ name: c.name, status: report.status, rule: report.errors[0]?.rule ?? null, ms });
          expectActionable(c, report);
        } catch (e) {
          failures.push(`${c.name}: ${(e as Error).message.split('\n').slice(0, 3).join(' | ')}`);
        } finally {
          rmSync(outDir, { recursive: true, force: true });
        }
      }
      expect(failures).toEqual([]);
    }, 240_000);
  });
}
