/**
 * `lake erase` through the CLI on the local lake: a person whose resident ID is hashed in one dataset and
 * masked in another (upsert, a note spanning two lines) is found in curated (each upload's file, the
 * merged states, a withdrawn upload's file), quarantine, landing and raw (a duplicate upload's copy too),
 * and afterwards no file under the lake directory holds the ID or its hash, read independently; every other
 * row is still there, counted. The receipt holds no personal value. One row key erased by --dataset/--key.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import type { ErasureReceipt } from '../../src/ingest/erase-receipt.ts';
import { hmacHex } from '../../src/privacy/protect.ts';
import {
  filesHolding,
  makeProject,
  PAYMENTS,
  parquetRows,
  parquetRowsHolding,
  paymentsCsv,
  RELIEF,
  reliefCsv,
  residentIds,
} from './erase-fixtures.ts';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let project: string;
let lakeDir: string;
let remove: () => Promise<void>;
const ids = residentIds(200, 4711);
const person = ids[3];

beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  project = await makeProject(dir);
  lakeDir = join(dir, 'lake');
});
afterAll(async () => {
  await remove();
});

const at = () => ['--lake-dir', lakeDir];

let last = 0;
async function ingest(name: string, text: string, dataset: string): Promise<IngestReport> {
  // Upload ids are stamped to the second: one upload per second keeps them apart and in order.
  const wait = Math.floor(last / 1000) === Math.floor(Date.now() / 1000) ? 1010 - (Date.now() % 1000) : 0;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const path = join(dir, name);
  await writeFile(path, text);
  const r = await lake(['ingest', path, '--dataset', dataset, '--json', ...at()], { cwd: project });
  last = Date.now();
  // 3: some rows were rejected (quarantined), as one of the files means
  expect([0, 3], r.stderr).toContain(r.code);
  return r.json<IngestReport>();
}

async function count(sql: string): Promise<number> {
  const r = await lake(['query', sql, '--json', ...at()], { cwd: project });
  expect(r.code, r.stderr).toBe(0);
  return Number(Object.values(r.json<{ rows: Record<string, unknown>[] }>().rows[0])[0]);
}

async function hashKey(): Promise<Buffer> {
  return Buffer.from((await readFile(join(lakeDir, 'hash-key'), 'utf8')).trim(), 'hex');
}

/** The person's rows, by their payment and case ids: September's, October's (quarantined), November's (withdrawn), the relief case. */
const PERSON_ROWS = ['MZ202609000004', 'MZ202609000251', 'MZ202609000401', 'RC00004'];

/** Rows of every Parquet file in the lake's store (not the catalog's cache of them), read independently. */
async function storeRows(): Promise<number> {
  const rows = await parquetRows(join(lakeDir, 's3'), (f) => `SELECT count(*) AS n FROM ${f}`);
  return rows.reduce((n, r) => n + Number(r.n), 0);
}

describe('lake erase --person', () => {
  let receipt: ErasureReceipt;
  let before: { payments: number; relief: number; parquetRows: number; personRows: number };

  it('finds the person in every layer and leaves every other row', async () => {
    // Prepare: the person in two payment files (one row quarantined), one of them uploaded twice; a third
    // payments file withdrawn; two relief files (masked; the second corrects the first's amounts)
    const september = paymentsCsv(ids.slice(0, 10), 1);
    await ingest('payments-09.csv', september, PAYMENTS);
    await ingest('payments-09-again.csv', september, PAYMENTS); // a duplicate: its raw copy holds the person too
    await ingest(
      'payments-10.csv',
      paymentsCsv([...ids.slice(10, 160), person], 101, (i) => (i === 150 ? '-5.00' : '600.00')),
      PAYMENTS,
    );
    const withdrawn = await ingest('payments-11.csv', paymentsCsv([person, ids[20]], 401), PAYMENTS);
    const w = await lake(['withdraw', withdrawn.uploadId, '--reason', 'sent twice', ...at()], {
      cwd: project,
    });
    expect(w.code, w.stderr).toBe(0);
    const multiline = new Set([person]);
    await ingest('relief-1.csv', reliefCsv(ids.slice(0, 12), 1, multiline), RELIEF);
    await ingest('relief-2.csv', reliefCsv(ids.slice(2, 6), 3, multiline), RELIEF);
    const hash = hmacHex(await hashKey(), person);
    const rows = await storeRows();
    before = {
      payments: await count('SELECT count(*) FROM civil_affairs.assistance_payments'),
      relief: await count('SELECT count(*) FROM civil_affairs.relief_cases'),
      parquetRows: rows,
      personRows: 0,
    };
    expect(before).toMatchObject({ payments: 160, relief: 12 });
    expect((await filesHolding(lakeDir, person)).length).toBeGreaterThan(4);
    for (const needle of [hash, ...PERSON_ROWS])
      expect(await parquetRowsHolding(lakeDir, needle)).toBeGreaterThan(0);

    // Act
    const r = await lake(
      [
        'erase',
        '--person',
        person,
        '--reason',
        'PIPL deletion request 2026-118',
        '--request',
        'pipl-2026-118',
        '--json',
        ...at(),
      ],
      { cwd: project },
    );

    // Assess: the receipt
    expect(r.code, r.stderr).toBe(0);
    receipt = r.json<ErasureReceipt>();
    expect(receipt).toMatchObject({
      requestId: 'pipl-2026-118',
      kind: 'person',
      reason: 'PIPL deletion request 2026-118',
      completedAt: expect.any(String),
      scope: { datasets: [PAYMENTS, RELIEF] },
    });
    // payments: September once (the duplicate published nothing), October's quarantined row, November's
    // withdrawn row; relief: both uploads' files and the merged states that held the person
    expect(receipt.datasets[PAYMENTS]).toEqual({
      curatedRows: 2,
      quarantineRows: 1,
      rawLines: 4,
      rawObjects: 4,
      landingObjects: 4,
    });
    expect(receipt.datasets[RELIEF]).toMatchObject({ rawLines: 4, rawObjects: 2, landingObjects: 2 });
    expect(receipt.datasets[RELIEF].curatedRows).toBeGreaterThanOrEqual(3);

    // Assess: no file under the lake holds the ID or its hash, read as bytes
    expect(await filesHolding(lakeDir, person)).toEqual([]);
    expect(await filesHolding(lakeDir, hash)).toEqual([]);
    // ...nor any Parquet row (compressed: read by an independent DuckDB) the ID, its hash or the person's rows
    for (const needle of [person, hash, ...PERSON_ROWS])
      expect(await parquetRowsHolding(lakeDir, needle)).toBe(0);
    // ...and every other row is there, through the CLI and read independently
    expect(await count('SELECT count(*) FROM civil_affairs.assistance_payments')).toBe(before.payments - 1);
    expect(await count('SELECT count(*) FROM civil_affairs.relief_cases')).toBe(before.relief - 1);
    const removed = Object.values(receipt.datasets).reduce((n, d) => n + d.curatedRows + d.quarantineRows, 0);
    expect(await storeRows()).toBe(before.parquetRows - removed);
    const key = await hashKey();
    const published = new Set(
      (
        await parquetRows(join(lakeDir, 's3', 'lake-curated'), (f) =>
          f.includes('assistance_payments')
            ? `SELECT DISTINCT resident_id AS id FROM ${f}`
            : 'SELECT NULL AS id',
        )
      ).map((r) => r.id),
    );
    // everyone else paid in September and October is still there (ids[20] in the withdrawn file too)
    for (const other of ids.slice(0, 160).filter((id) => id !== person)) {
      expect(published.has(hmacHex(key, other)), other).toBe(true);
    }
  });

  it('writes a receipt that holds no personal value', async () => {
    const stored = await filesHolding(lakeDir, '"requestId": "pipl-2026-118"');
    expect(stored).toHaveLength(1);
    const text = JSON.stringify(receipt);
    expect(text).not.toContain(person);
    expect(text).not.toContain(person.slice(6, 14)); // the birth date
    expect(text).not.toContain(hmacHex(await hashKey(), person));
  });

  it('changes nothing when asked again, and refuses what is not a resident ID', async () => {
    const again = await lake(
      ['erase', '--person', person, '--reason', 'x', '--request', 'pipl-2026-118', '--json', ...at()],
      { cwd: project },
    );
    expect(again.json<ErasureReceipt>()).toEqual(receipt);
    const bad = await lake(['erase', '--person', '520102199001011234', '--reason', 'x', '--json', ...at()], {
      cwd: project,
    });
    expect(bad.code).toBe(1);
    expect(bad.error().code).toBe('invalid_person');
    expect(bad.stderr).not.toContain('520102199001011234');
  });
});
