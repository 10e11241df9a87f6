/**
 * `lake ingest` then `lake query --json` on every example file, in a local lake started by each command
 * (no `lake up`): what the steward gets back, and what an analyst then sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import { EXAMPLE_FILES, lake, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterAll(async () => {
  await remove();
});

const at = () => ['--lake-dir', dir];

/** Rows each dataset's table holds after the files up to and including this one are ingested. */
const EXPECTED = [
  { accepted: 244, rejected: 0, tableRows: 244, uploads: 1, status: 'accepted' },
  { accepted: 521, rejected: 0, tableRows: 521, uploads: 1, status: 'accepted' },
  { accepted: 847, rejected: 0, tableRows: 847, uploads: 1, status: 'accepted' },
  { accepted: 1217, rejected: 25, tableRows: 1217, uploads: 1, status: 'partial' },
  { accepted: 1426, rejected: 0, tableRows: 1426, uploads: 1, status: 'accepted' },
  { accepted: 1451, rejected: 2, tableRows: 2877, uploads: 2, status: 'partial' },
];

describe('lake ingest, then lake query --json, on every example file', () => {
  const reports: IngestReport[] = [];

  EXAMPLE_FILES.forEach(({ file, dataset }, i) => {
    it(`${file}: the report, then the rows in ${dataset.replace('/', '.')}`, async () => {
      // Act
      const ingested = await lake(['ingest', file, '--dataset', dataset, '--json', ...at()]);
      const table = dataset.replace('/', '.');
      const queried = await lake([
        'query',
        `SELECT count(*) AS n, count(DISTINCT _upload_id) AS uploads FROM ${table}`,
        '--json',
        ...at(),
      ]);

      // Assess
      expect(ingested.stderr).toBe('');
      expect(ingested.code).toBe(0);
      const report = ingested.json<IngestReport>();
      reports.push(report);
      const expected = EXPECTED[i];
      expect(report).toMatchObject({
        dataset,
        status: expected.status,
        rows: { accepted: expected.accepted, rejected: expected.rejected },
      });
      expect(report.rows.total).toBe(
        report.rows.accepted + report.rows.rejected + (report.rows.skipped ?? 0),
      );
      expect(queried.code).toBe(0);
      expect(queried.json()).toEqual({
        columns: [
          { name: 'n', type: 'BIGINT' },
          { name: 'uploads', type: 'BIGINT' },
        ],
        rows: [{ n: expected.tableRows, uploads: expected.uploads }],
      });
    });
  });

  it('reads the GB18030 file with its Chinese headers and several date spellings', async () => {
    const r = await lake(
      [
        'query',
        "SELECT clinic_id, clinic_name, county_code, opened_on, beds, license_holder, license_holder_id FROM health.clinics WHERE clinic_id IN ('GZ520102001', 'GZ520102004') ORDER BY clinic_id",
        '--json',
        ...at(),
      ],
      {},
    );
    expect(r.code).toBe(0);
    const { columns, rows } = r.json<{
      columns: { name: string; type: string }[];
      rows: Record<string, unknown>[];
    }>();
    expect(columns.find((c) => c.name === 'opened_on')?.type).toBe('DATE');
    expect(columns.find((c) => c.name === 'beds')?.type).toBe('BIGINT');
    expect(rows).toEqual([
      {
        clinic_id: 'GZ520102001',
        clinic_name: '南明胡涛诊所',
        county_code: '520102',
        opened_on: '2019-12-11', // written 2019年12月11日
        beds: 0,
        license_holder: '张*',
        license_holder_id: '520102************',
      },
      {
        clinic_id: 'GZ520102004',
        clinic_name: '南明区西湖路社区卫生服务中心',
        county_code: '520102',
        opened_on: '1998-01-08', // written 1998年01月08日
        beds: 60,
        license_holder: '龙*',
        license_holder_id: '520102************',
      },
    ]);
  });

  it('publishes resident IDs hashed (the same person the same in both months), names masked, phones not at all', async () => {
    const r = await lake(
      [
        'query',
        `SELECT resident_id, recipient_name, count(DISTINCT period) AS months
         FROM civil_affairs.assistance_payments WHERE payment_id IN ('MZ202609000001', 'MZ202610000001')
         GROUP BY ALL`,
        '--json',
        ...at(),
      ],
      {},
    );
    expect(r.code).toBe(0);
    const rows = r.json<{ rows: { resident_id: string; recipient_name: string; months: number }[] }>().rows;
    expect(rows).toHaveLength(1);
    expect(rows[0].resident_id).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]).toMatchObject({ recipient_name: '李*', months: 2 });

    const phone = await lake([
      'query',
      'SELECT phone FROM civil_affairs.assistance_payments',
      '--json',
      ...at(),
    ]);
    expect(phone.code).toBe(1);
    expect(phone.error()).toMatchObject({ code: 'query_failed' });
    expect(phone.error().message).toMatch(/phone/);
  });

  it('reads the xlsx sheet with typed numbers, years and 是/否 booleans', async () => {
    const r = await lake(
      [
        'query',
        'SELECT typeof(students) AS s, typeof(founded_year) AS y, count_if(boarding) > 0 AS any_boarding FROM education.schools GROUP BY ALL',
        '--json',
        ...at(),
      ],
      {},
    );
    expect(r.json<{ rows: unknown[] }>().rows).toEqual([{ s: 'BIGINT', y: 'INTEGER', any_boarding: true }]);
  });

  it('lists the uploads, newest first, and shows each report', async () => {
    const status = await lake(['status', '--json', ...at()]);
    expect(status.code).toBe(0);
    const { uploads } = status.json<{ uploads: { uploadId: string; dataset: string; status: string }[] }>();
    // Upload ids start with the upload's second: newest first, uploads within one second in id order.
    expect(uploads.map((u) => u.uploadId)).toEqual(
      reports
        .map((r) => r.uploadId)
        .sort()
        .reverse(),
    );

    const one = await lake(['status', '--dataset', 'transport/bus_stops', '--json', ...at()]);
    expect(one.json<{ uploads: unknown[] }>().uploads).toHaveLength(1);

    const bus = reports[3];
    const shown = await lake(['report', bus.uploadId, '--json', ...at()]);
    expect(shown.json()).toEqual(bus);

    const human = await lake(['report', bus.uploadId, ...at()]);
    expect(human.stdout).toContain('! partial  transport/bus_stops  bus-stops-guiyang-2026-11.csv');
    expect(human.stdout).toMatch(/1,242 rows: 1,217 published, 25 quarantined/);
    expect(human.stdout).toMatch(/66 +stop_id +required +a value is required/);
  });

  it('describes the catalog: every dataset with its rows, and one in detail', async () => {
    const all = await lake(['catalog', '--json', ...at()]);
    const { datasets } = all.json<{
      datasets: { dataset: string; rows: number; lastIngested: string | null }[];
    }>();
    expect(datasets.map((d) => [d.dataset, d.rows])).toEqual([
      ['civil_affairs/assistance_payments', 2877],
      ['education/schools', 847],
      ['health/clinics', 521],
      ['statistics/divisions', 244],
      ['transport/bus_stops', 1217],
    ]);
    expect(datasets.every((d) => d.lastIngested !== null)).toBe(true);

    const one = await lake(['catalog', 'civil_affairs/assistance_payments', '--json', ...at()]);
    const detail = one.json<{
      columns: {
        name: string;
        type: string;
        classification: string;
        pii: string | null;
        protect: string | null;
      }[];
      owner: string;
      table: string;
    }>();
    expect(detail.table).toBe('civil_affairs.assistance_payments');
    expect(detail.owner).toContain('民政厅');
    const byName = Object.fromEntries(detail.columns.map((c) => [c.name, c]));
    expect(byName.resident_id).toMatchObject({ type: 'string', pii: 'cn_resident_id', protect: 'hash' });
    expect(byName.recipient_name).toMatchObject({
      classification: 'restricted',
      pii: 'person_name',
      protect: 'mask',
    });
    expect(byName.phone).toBeUndefined();
    expect(byName.amount).toMatchObject({ type: 'double', pii: null });
    expect(byName.ingest_date).toMatchObject({ type: 'string', partition: true });
  });

  it('prints human tables without colour when stdout is not a terminal', async () => {
    const r = await lake([
      'query',
      'SELECT name, level FROM statistics.divisions WHERE code = $$52$$',
      ...at(),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['name    level', '──────  ─────', '贵州省  省']);
    const tty = await lake(['query', 'SELECT 1 AS one', ...at()], { tty: true });
    expect(tty.stdout).toContain('\u001b[1m');
    const noColor = await lake(['query', 'SELECT 1 AS one', ...at()], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001b[');
  });
});
