/**
 * The local lake under load: many `lake ingest` and `lake query` commands at once on one lake directory,
 * each its own process (so each runs its own endpoint and transformer on the shared directory), while a
 * worker thread keeps a core busy. Several datasets, replace and append, a few bad files. Every upload must
 * end with exactly one report, every row must be accounted for, and no command may fail.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import { EXAMPLES, ROOT, tempLakeDir } from '../cli/helpers.ts';

/** Commands running at once. */
const CONCURRENCY = 4;
/** Uploads of each good file, each with different bytes (a different number of rows). */
const VARIANTS = 3;
/** How long the CPU load may last at most, whatever happens to the test. */
const LOAD_MAX_MS = 80_000;

interface Source {
  dataset: string;
  file: string;
}
const SOURCES: Source[] = [
  { dataset: 'health/clinics', file: 'health/clinics/clinics-2026-11.csv' },
  { dataset: 'statistics/divisions', file: 'statistics/divisions/divisions-guizhou-2024.csv' },
  { dataset: 'transport/bus_stops', file: 'transport/bus_stops/bus-stops-guiyang-2026-11.csv' },
  {
    dataset: 'civil_affairs/assistance_payments',
    file: 'civil_affairs/assistance_payments/assistance-payments-2026-09.csv',
  },
  {
    dataset: 'civil_affairs/assistance_payments',
    file: 'civil_affairs/assistance_payments/assistance-payments-2026-10.csv',
  },
];

interface Upload {
  dataset: string;
  path: string;
  /** Data lines in the file, or null for a file whose rows are not counted (garbage). */
  lines: number | null;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function lake(args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/lake.mjs'), ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LAKE_DEBUG: '1' },
        maxBuffer: 64 << 20,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The header line and the first `keep` data lines of a CSV (split on bytes: any encoding the examples use). */
function firstLines(bytes: Buffer, keep: number): { bytes: Buffer; lines: number } {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(10); i !== -1 && lines.length <= keep; i = bytes.indexOf(10, start)) {
    lines.push(bytes.subarray(start, i + 1));
    start = i + 1;
  }
  return { bytes: Buffer.concat(lines), lines: lines.length - 1 };
}

/** Runs the commands, at most CONCURRENCY at a time, in order of start. */
async function pool<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return results;
}

/** A busy loop in a worker thread, until stopped (or LOAD_MAX_MS). */
function loadCpu(): { stop(): Promise<void> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const end = Date.now() + workerData.maxMs;
     let x = 0;
     while (Atomics.load(workerData.flag, 0) === 0 && Date.now() < end) x = (x * 31 + 7) % 1000003;`,
    { eval: true, workerData: { flag, maxMs: LOAD_MAX_MS } },
  );
  return {
    async stop() {
      Atomics.store(flag, 0, 1);
      await worker.terminate();
    },
  };
}

describe('the local lake under load', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, remove } = await tempLakeDir());
  });
  afterAll(async () => {
    await remove();
  });

  it('ends every upload with one report and accounts for every row, with no failed command', async () => {
    // Prepare: variants of the examples (distinct bytes, known row counts) and three bad files.
    const uploads: Upload[] = [];
    for (const [s, source] of SOURCES.entries()) {
      const bytes = await readFile(join(EXAMPLES, source.file));
      for (let v = 0; v < VARIANTS; v++) {
        const part = firstLines(bytes, 40 + 37 * v + s);
        const path = join(dir, `${s}-${v}.csv`);
        await writeFile(path, part.bytes);
        uploads.push({ dataset: source.dataset, path, lines: part.lines });
      }
    }
    const bad = async (name: string, dataset: string, bytes: Buffer, lines: number | null) => {
      const path = join(dir, name);
      await writeFile(path, bytes);
      uploads.push({ dataset, path, lines });
    };
    await bad('empty.csv', 'health/clinics', Buffer.alloc(0), 0);
    const stops = firstLines(await readFile(join(EXAMPLES, SOURCES[2].file)), 30);
    const withPhones = stops.bytes
      .toString('utf8')
      .split('\n')
      .map((l, i) =>
        l === '' ? l : `${l},${i === 0 ? 'contact' : `1398512${String(1000 + i).padStart(4, '0')}`}`,
      )
      .join('\n');
    await bad('undeclared-pii.csv', 'transport/bus_stops', Buffer.from(withPhones), stops.lines);
    await bad(
      'garbage.csv',
      'statistics/divisions',
      Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 97) % 256)),
      null,
    );
    const lakeDir = ['--local', '--json', '--lake-dir', join(dir, 'lake')];
    // Ingests, with a query after every third one, interleaved.
    const jobs: (() => Promise<Outcome & { kind: string; upload?: Upload }>)[] = [];
    const datasets = [...new Set(SOURCES.map((s) => s.dataset))];
    uploads.forEach((u, i) => {
      jobs.push(async () => ({
        kind: 'ingest',
        upload: u,
        ...(await lake(['ingest', u.path, '--dataset', u.dataset, ...lakeDir])),
      }));
      if (i % 3 === 2) {
        const table = datasets[i % datasets.length].replace('/', '.');
        jobs.push(async () => ({
          kind: 'query',
          ...(await lake(['query', `SELECT count(*) AS n FROM ${table}`, ...lakeDir])),
        }));
      }
    });

    // Act: one command alone first (the lake directory is created, and the CLI's build is ready for the rest).
    const first = await lake(['status', ...lakeDir]);
    const load = loadCpu();
    let results: Awaited<ReturnType<(typeof jobs)[number]>>[];
    try {
      results = await pool(jobs);
    } finally {
      await load.stop();
    }

    // Assess: no command failed (0 accepted or partial, 3 rejected as a whole; never 1).
    results.unshift({ kind: 'status', ...first });
    const failed = results.filter((r) => r.code !== 0 && !(r.kind === 'ingest' && r.code === 3));
    expect(failed.map((r) => `${r.kind} exit ${r.code}: ${r.stderr.slice(-2000)}`)).toEqual([]);
    // Every upload has its report, the rows of its file.
    const reports = results
      .filter((r) => r.kind === 'ingest')
      .map((r) => ({ upload: r.upload as Upload, report: JSON.parse(r.stdout) as IngestReport }));
    for (const { upload, report } of reports) {
      expect(report.dataset).toBe(upload.dataset);
      expect(report.rows.total).toBe(
        report.rows.accepted + report.rows.rejected + (report.rows.skipped ?? 0),
      );
      if (upload.lines !== null)
        expect({ file: upload.path, total: report.rows.total }).toEqual({
          file: upload.path,
          total: upload.lines,
        });
    }
    // Exactly one report per upload in the lake, and no other.
    const listed = await lake(['status', '--limit', '1000', ...lakeDir]);
    expect(listed.code).toBe(0);
    const inLake = (JSON.parse(listed.stdout) as { uploads: { uploadId: string }[] }).uploads
      .map((u) => u.uploadId)
      .sort();
    expect(inLake).toEqual(reports.map((r) => r.report.uploadId).sort());
    // The tables hold every accepted row: all uploads of an append dataset, the latest accepted upload of a replace one.
    let commands = results.length + 1;
    for (const dataset of datasets) {
      const mine = reports
        .map((r) => r.report)
        .filter((r) => r.dataset === dataset && r.status !== 'rejected');
      const append = dataset === 'civil_affairs/assistance_payments';
      const latest = mine.reduce((a, b) => (a.uploadId > b.uploadId ? a : b));
      const expected = append ? mine.reduce((n, r) => n + r.rows.accepted, 0) : latest.rows.accepted;
      const q = await lake(['query', `SELECT count(*) AS n FROM ${dataset.replace('/', '.')}`, ...lakeDir]);
      commands++;
      expect(q.code).toBe(0);
      expect({ dataset, rows: (JSON.parse(q.stdout) as { rows: { n: number }[] }).rows[0].n }).toEqual({
        dataset,
        rows: expected,
      });
    }
    const rows = reports.reduce((n, r) => n + r.report.rows.total, 0);
    console.log(
      `soak: ${reports.length} uploads, ${rows} rows, ${commands} commands, ${failed.length} failed`,
    );
  }, 180_000);
});
