/**
 * `lake query --zone quarantine` on a local lake: a steward reads the rejected rows of every upload as
 * `quarantine.<department>_<dataset>`, with their `_errors` and personal data protected; the analysts'
 * default query sees no quarantine table and may read no quarantine file.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors.ts';
import { lakePaths } from '../../src/local/lake-dir.ts';
import { lake, tempLakeDir } from './helpers.ts';

const FILE = 'examples/civil_affairs/assistance_payments/assistance-payments-2026-10.csv';
const DATASET = 'civil_affairs/assistance_payments';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  const r = await lake(['ingest', FILE, '--dataset', DATASET, '--json', '--lake-dir', dir]);
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await remove();
});

const at = () => ['--lake-dir', dir];

describe('lake query --zone quarantine', () => {
  it("reads each dataset's rejected rows with their errors, personal data protected", async () => {
    // Act
    const r = await lake([
      'query',
      '--zone',
      'quarantine',
      `SELECT payment_id, resident_id, _source_line AS line, _errors[1].column AS "column", _errors[1].rule AS rule
         FROM quarantine.civil_affairs_assistance_payments ORDER BY line`,
      '--json',
      ...at(),
    ]);

    // Assess
    expect(r.code).toBe(0);
    const rows = r.json<{ rows: Record<string, unknown>[] }>().rows;
    expect(rows.map((x) => [x.payment_id, x.line, x.column, x.rule])).toEqual([
      ['MZ202610000044', 45, 'amount', 'type'],
      ['MZ202610000045', 46, 'program', 'enum'],
    ]);
    for (const x of rows) expect(x.resident_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('has a table, empty, for a dataset with nothing in quarantine, and leaves no copy behind', async () => {
    const r = await lake([
      'query',
      '--zone',
      'quarantine',
      'SELECT count(*) AS n FROM quarantine.health_clinics',
      '--json',
      ...at(),
    ]);
    expect(r.code).toBe(0);
    expect(r.json<{ rows: unknown[] }>().rows).toEqual([{ n: 0 }]);
    expect(readdirSync(lakePaths(dir).tmp).filter((f) => f.startsWith('quarantine-'))).toEqual([]);
  });

  it("keeps the analysts' default query away from the quarantine", async () => {
    const table = await lake([
      'query',
      'SELECT count(*) FROM quarantine.civil_affairs_assistance_payments',
      '--json',
      ...at(),
    ]);
    expect(table.code).toBe(EXIT.failure);
    expect(table.error().message).toContain('quarantine.civil_affairs_assistance_payments');
    const files = join(lakePaths(dir).s3, 'lake-quarantine', 'quarantine', '**', '*');
    const read = await lake(['query', `SELECT count(*) FROM read_parquet('${files}')`, '--json', ...at()]);
    expect(read.code).toBe(EXIT.failure);
    expect(read.error().message).toMatch(/Permission Error/);
  });

  it('reads no other file than the quarantine copies', async () => {
    const files = join(lakePaths(dir).cache, '**', '*.parquet');
    const r = await lake([
      'query',
      '--zone',
      'quarantine',
      `SELECT count(*) FROM read_parquet('${files}')`,
      '--json',
      ...at(),
    ]);
    expect(r.code).toBe(EXIT.failure);
    expect(r.error().message).toMatch(/Permission Error/);
    expect(r.error().hint).toContain('quarantine.<department>_<dataset>');
  });

  it('refuses a zone it does not know', async () => {
    const r = await lake(['query', '--zone', 'raw', 'SELECT 1', '--json', ...at()]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.error().message).toBe('--zone must be curated or quarantine, not "raw"');
  });
});
