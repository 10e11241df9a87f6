/**
 * Keys across uploads, through the CLI on the local lake: in an append dataset a row whose primaryKey is
 * already published by an earlier upload is quarantined, naming that upload and its line; the table keeps
 * each key once, with the earlier upload's row.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const SEPTEMBER = 'examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv';
const OCTOBER = 'examples/civil_affairs/assistance_payments/assistance-payments-2026-10.csv';
const PAYMENTS = 'civil_affairs/assistance_payments';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterAll(async () => {
  await remove();
});

const at = () => ['--lake-dir', dir];

async function run(command: 'ingest' | 'validate', file: string): Promise<IngestReport> {
  const r = await lake([command, file, '--dataset', PAYMENTS, '--errors', 'all', '--json', ...at()]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.json<IngestReport>();
}

async function query<T>(sql: string): Promise<T[]> {
  const r = await lake(['query', sql, '--json', ...at()]);
  expect(r.code).toBe(0);
  return r.json<{ rows: T[] }>().rows;
}

/** The file's lines (its bytes, undecoded), without the final empty one. */
async function lines(file: string): Promise<string[]> {
  return (await readFile(join(ROOT, file))).toString('latin1').replace(/\n$/, '').split('\n');
}

describe('an append dataset: keys already published by an earlier upload', () => {
  let september: IngestReport;
  it('quarantines the rows whose payment_id September published, naming September and its lines', async () => {
    // Prepare: September published; a file of October's rows with three of September's rows after them
    september = await run('ingest', SEPTEMBER);
    const octoberLines = await lines(OCTOBER);
    const repeated = (await lines(SEPTEMBER)).slice(1, 4); // September's lines 2, 3 and 4
    const path = join(dir, 'october-with-three-september-rows.csv');
    await writeFile(path, Buffer.from(`${[...octoberLines, ...repeated].join('\n')}\n`, 'latin1'));
    const repeatedIds = repeated.map((l) => l.split(',')[0]);
    const published = await query<{ line: number }>(
      `SELECT _source_line AS line FROM civil_affairs.assistance_payments WHERE payment_id IN (${repeatedIds.map((id) => `'${id}'`).join(', ')}) ORDER BY 1`,
    );
    expect(published.map((r) => Number(r.line))).toEqual([2, 3, 4]);
    const offline = await run('validate', path); // the engine alone: no published keys to compare

    // Act
    const report = await run('ingest', path);

    // Assess: the three rows quarantined, each naming September and its line; nothing else changed
    const first = octoberLines.length + 1;
    const cross = report.errors.filter((e) => e.message.startsWith('already published'));
    expect(cross).toEqual(
      [2, 3, 4].map((line, i) => ({
        line: first + i,
        column: 'payment_id',
        rule: 'primaryKey',
        message: `already published by upload ${september.uploadId} (line ${line})`,
      })),
    );
    expect(report.rows).toEqual({
      total: offline.rows.total,
      accepted: offline.rows.accepted - 3,
      rejected: offline.rows.rejected + 3,
    });
    expect(report.errorCounts.primaryKey).toEqual({
      payment_id: (offline.errorCounts.primaryKey?.payment_id ?? 0) + 3,
    });
    expect(JSON.stringify(report)).not.toContain(repeatedIds[0]);
    const [table] = await query<{ n: number; ids: number; fromSeptember: number }>(
      `SELECT count(*) AS n, count(DISTINCT payment_id) AS ids, count(*) FILTER (WHERE payment_id IN (${repeatedIds.map((id) => `'${id}'`).join(', ')}) AND _upload_id = '${september.uploadId}') AS "fromSeptember" FROM civil_affairs.assistance_payments`,
    );
    expect(table).toEqual({
      n: september.rows.accepted + report.rows.accepted,
      ids: september.rows.accepted + report.rows.accepted,
      fromSeptember: 3,
    });
  });

  it('publishes a key again once the upload that published it is withdrawn', async () => {
    const [before] = await query<{ n: number }>(
      'SELECT count(*) AS n FROM civil_affairs.assistance_payments',
    );
    const w = await lake(['withdraw', september.uploadId, '--reason', 'resent with corrections', ...at()]);
    expect(w.code).toBe(0);
    const again = await run('ingest', SEPTEMBER);
    expect(again.rows).toEqual(september.rows);
    expect(again.errorCounts).toEqual(september.errorCounts);
    const [after] = await query<{ n: number; ids: number }>(
      'SELECT count(*) AS n, count(DISTINCT payment_id) AS ids FROM civil_affairs.assistance_payments',
    );
    expect(after).toEqual({ n: before.n, ids: before.n });
  });
});
