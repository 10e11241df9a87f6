/** `lake demo` (npm start): every example ingested, the catalog, and answers that join departments. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_QUERIES } from '../../src/cli/demo-queries.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { lake, tempLakeDir } from './helpers.ts';

interface DemoDocument {
  reports: IngestReport[];
  catalog: { dataset: string; rows: number }[];
  queries: { title: string; rows: Record<string, unknown>[] }[];
}

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterAll(async () => {
  await remove();
});

describe('lake demo', () => {
  let first: DemoDocument;

  it('ingests the examples of five departments and answers the questions', async () => {
    const r = await lake(['demo', '--json', '--lake-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    first = r.json<DemoDocument>();

    expect(first.reports.map((x) => [x.dataset, x.status, x.source.encoding ?? x.source.format])).toEqual([
      ['statistics/divisions', 'accepted', 'utf-8'],
      ['health/clinics', 'accepted', 'gb18030'],
      ['education/schools', 'accepted', 'xlsx'],
      ['transport/bus_stops', 'partial', 'utf-8'],
      ['civil_affairs/assistance_payments', 'accepted', 'utf-8'],
      ['civil_affairs/assistance_payments', 'partial', 'utf-8'],
    ]);
    expect(first.catalog.map((d) => [d.dataset, d.rows])).toEqual([
      ['civil_affairs/assistance_payments', 2877],
      ['education/schools', 847],
      ['health/clinics', 521],
      ['statistics/divisions', 244],
      ['transport/bus_stops', 1217],
    ]);
    expect(first.queries.map((q) => q.title)).toEqual(DEMO_QUERIES.map((q) => q.title));

    const [perCity, needs, guiyang, months, recipient] = first.queries.map((q) => q.rows);
    expect(perCity).toHaveLength(9);
    expect(perCity[0]).toMatchObject({ city: '贵阳市' });
    expect(perCity.reduce((n, row) => n + Number(row.clinics), 0)).toBe(521);
    expect(needs).toHaveLength(8);
    expect(Object.keys(needs[0])).toEqual([
      'county',
      'recipients',
      'clinics',
      'recipients_per_clinic',
      'paid_yuan',
    ]);
    expect(guiyang.map((row) => row.district).sort()).toEqual(
      [
        '乌当区',
        '云岩区',
        '修文县',
        '南明区',
        '开阳县',
        '息烽县',
        '清镇市',
        '白云区',
        '花溪区',
        '观山湖区',
      ].sort(),
    );
    expect(months.map((row) => row.period)).toEqual([
      '2026-09',
      '2026-09',
      '2026-09',
      '2026-09',
      '2026-10',
      '2026-10',
      '2026-10',
      '2026-10',
    ]);
    expect(recipient).toHaveLength(3);
    for (const row of recipient) {
      expect(row.resident_id).toMatch(/^[0-9a-f]{64}$/);
      expect(row.recipient_name).toMatch(/^\p{Script=Han}\*+$/u);
      expect(row).not.toHaveProperty('phone');
    }
  });

  it('run again, uploads nothing twice: the appended payments are not doubled', async () => {
    const r = await lake(['demo', '--lake-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/already in the lake: not uploaded again/g)).toHaveLength(6);
    for (const report of first.reports) expect(r.stdout).toContain(report.uploadId);
    expect(r.stdout).toMatch(
      /civil_affairs\.assistance_payments +Social assistance payments +internal +append +2877/,
    );
    expect(r.stdout).toMatch(/^Done in .*: 5,733 rows from 6 files, 5 datasets, 5 answers\.$/m);
  });
});
