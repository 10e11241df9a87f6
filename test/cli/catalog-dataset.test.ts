/**
 * `lake catalog <department>/<dataset>` on a local lake: the original headers of each column, the rows, the
 * period the data covers, the last upload, the rows in quarantine and sample rows holding published values
 * only (a hashed resident ID, a masked name, no dropped phone number).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDetail } from '../../src/cli/backend.ts';
import { DEFAULT_SAMPLE_ROWS } from '../../src/cli/commands/catalog.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const FILE = 'examples/civil_affairs/assistance_payments/assistance-payments-2026-10.csv';
const DATASET = 'civil_affairs/assistance_payments';

let dir: string;
let remove: () => Promise<void>;
let report: IngestReport;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  const r = await lake(['ingest', FILE, '--dataset', DATASET, '--json', '--lake-dir', dir]);
  expect(r.code).toBe(0);
  report = r.json<IngestReport>();
});
afterAll(async () => {
  await remove();
});

const at = () => ['--lake-dir', dir];

/** The file's resident IDs and phone numbers, as uploaded (columns 2 and 4). */
function uploadedPersonalData(): string[] {
  const lines = readFileSync(join(ROOT, FILE), 'utf8').split('\n').slice(1).filter(Boolean);
  return lines.flatMap((l) => {
    const cells = l.split(',');
    return [cells[1], cells[3]].filter((c) => c.length >= 11);
  });
}

describe('lake catalog <department>/<dataset>', () => {
  it('gives headers, rows, period, last upload, quarantine and published sample rows in --json', async () => {
    // Act
    const r = await lake(['catalog', DATASET, '--json', ...at()]);

    // Assess
    expect(r.code).toBe(0);
    const d = r.json<DatasetDetail>();
    expect(report.rows).toMatchObject({ accepted: 1451, rejected: 2 });
    expect(d).toMatchObject({
      rows: 1451,
      period: { field: 'paid_on', from: '2026-10-08', to: '2026-10-15' },
      lastUpload: { uploadId: report.uploadId, status: 'partial' },
      quarantinedRows: 2,
    });
    const headers = Object.fromEntries(d.columns.map((c) => [c.name, c.headers]));
    expect(headers.resident_id).toEqual(['身份证号', '公民身份号码']);
    expect(headers.paid_on).toEqual(['发放日期']);
    expect(headers._upload_id).toEqual([]);
    expect(headers.ingest_date).toEqual([]);
    expect(d.sample).toHaveLength(DEFAULT_SAMPLE_ROWS);
    const sample = d.sample ?? [];
    // The published fields, without lineage, and without the dropped phone number.
    expect(Object.keys(sample[0])).toEqual([
      'payment_id',
      'resident_id',
      'recipient_name',
      'county_code',
      'township_code',
      'program',
      'amount',
      'period',
      'paid_on',
    ]);
    for (const row of sample) {
      expect(row.resident_id).toMatch(/^[0-9a-f]{64}$/);
      expect(row.recipient_name).toMatch(/\*/);
    }
    // The same values an analyst's query returns.
    const ids = sample.map((s) => `'${s.payment_id}'`).join(', ');
    const q = await lake([
      'query',
      `SELECT resident_id, recipient_name FROM civil_affairs.assistance_payments WHERE payment_id IN (${ids})`,
      '--json',
      ...at(),
    ]);
    const published = q.json<{ rows: Record<string, unknown>[] }>().rows;
    for (const s of sample)
      expect(published).toContainEqual({ resident_id: s.resident_id, recipient_name: s.recipient_name });
  });

  it('prints the same in tables, and no value of personal data as uploaded', async () => {
    // Act
    const r = await lake(['catalog', DATASET, '--sample', '50', ...at()]);

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^period: +2026-10-08 to 2026-10-15 \(paid_on\)$/m);
    expect(r.stdout).toMatch(new RegExp(`^last upload: +${report.uploadId}, partial, `, 'm'));
    expect(r.stdout).toMatch(/^in quarantine: +2$/m);
    expect(r.stdout).toMatch(/original headers/);
    expect(r.stdout).toMatch(/身份证号, 公民身份号码/);
    expect(r.stdout).toMatch(/sample rows \(50, as published\)/);
    const personal = uploadedPersonalData();
    expect(personal.length).toBeGreaterThan(100);
    for (const value of personal) expect(r.stdout).not.toContain(value);
  });

  it('reads as many sample rows as asked, none with --sample 0, and refuses a count that is not one', async () => {
    const two = await lake(['catalog', DATASET, '--sample', '2', '--json', ...at()]);
    expect(two.json<DatasetDetail>().sample).toHaveLength(2);
    const none = await lake(['catalog', DATASET, '--sample', '0', '--json', ...at()]);
    expect(none.json<DatasetDetail>().sample).toEqual([]);
    const bad = await lake(['catalog', DATASET, '--sample', 'many', '--json', ...at()]);
    expect(bad.code).toBe(2);
    expect(bad.error().message).toContain('--sample must be a whole number, not "many"');
  });

  it('describes a dataset nothing was uploaded to: no period, no upload, nothing in quarantine', async () => {
    const r = await lake(['catalog', 'health/clinics', '--json', ...at()]);
    expect(r.code).toBe(0);
    expect(r.json<DatasetDetail>()).toMatchObject({
      rows: 0,
      period: { field: 'opened_on', from: null, to: null },
      lastUpload: null,
      quarantinedRows: 0,
      sample: [],
    });
    const human = await lake(['catalog', 'health/clinics', ...at()]);
    expect(human.stdout).toMatch(/^last upload: +none$/m);
    expect(human.stdout).toContain('sample rows: none (the table is empty)');
  });

  it('says there is no period for a dataset without a date field', async () => {
    const r = await lake(['catalog', 'statistics/divisions', '--json', ...at()]);
    expect(r.json<DatasetDetail>().period).toBeNull();
  });
});
