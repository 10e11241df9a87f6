/**
 * Freshness on a local lake: `lake status --overdue` lists the datasets that missed their update
 * frequency (department, dataset, frequency, last upload, due date, days overdue), and the ones with no
 * accepted upload yet apart; `lake catalog` shows each dataset's catalogue metadata and the dataset page
 * its freshness and the name of the area it covers. "Now" is set with LAKE_NOW.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDetail, DatasetInfo } from '../../src/cli/backend.ts';
import { EXIT } from '../../src/cli/errors.ts';
import type { OverdueReport } from '../../src/cli/overdue.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { addMonths, FRESHNESS_GRACE_DAYS } from '../../src/lake/freshness.ts';
import { lake, tempLakeDir } from './helpers.ts';

const CLINICS = 'health/clinics';
const DIVISIONS = 'statistics/divisions';
const DAY_MS = 86_400_000;

let dir: string;
let remove: () => Promise<void>;
let clinics: IngestReport;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  const ingest = async (file: string, dataset: string) => {
    const r = await lake(['ingest', file, '--dataset', dataset, '--json', '--lake-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    return r.json<IngestReport>();
  };
  clinics = await ingest('examples/health/clinics/clinics-2026-11.csv', CLINICS);
  await ingest('examples/statistics/divisions/divisions-guizhou-2024.csv', DIVISIONS);
});
afterAll(async () => {
  await remove();
});

const at = (now: Date) => ({ env: { LAKE_NOW: now.toISOString() } });
/** The clinics (monthly) are due one month after their upload. */
const clinicsDue = () => addMonths(new Date(clinics.startedAt), 1);

describe('lake status --overdue', () => {
  it('lists nothing overdue within the grace days, and the datasets never uploaded apart', async () => {
    // Act
    const now = new Date(clinicsDue().getTime() + (FRESHNESS_GRACE_DAYS - 1) * DAY_MS);
    const r = await lake(['status', '--overdue', '--json', '--lake-dir', dir], at(now));

    // Assess
    expect(r.code).toBe(0);
    const report = r.json<OverdueReport>();
    expect(report).toMatchObject({ now: now.toISOString(), graceDays: FRESHNESS_GRACE_DAYS, overdue: [] });
    // Every shipped contract has a frequency; the two never uploaded wait for their first upload.
    expect(report.noUploadYet.map((o) => o.dataset).sort()).toEqual([
      'civil_affairs/assistance_payments',
      'education/schools',
      'transport/bus_stops',
    ]);
    const human = await lake(['status', '--overdue', '--lake-dir', dir], at(now));
    expect(human.stdout).toMatch(/^no dataset is overdue on /m);
    expect(human.stdout).toMatch(/^no accepted upload yet: .*transport\/bus_stops \(monthly\)/m);
  });

  it('lists a monthly dataset once its month and grace days have passed, with the days overdue', async () => {
    // Act
    const now = new Date(clinicsDue().getTime() + 10 * DAY_MS);
    const r = await lake(['status', '--overdue', '--json', '--lake-dir', dir], at(now));

    // Assess
    expect(r.code).toBe(0);
    const report = r.json<OverdueReport>();
    expect(report.overdue).toEqual([
      {
        dataset: CLINICS,
        department: 'health',
        owner: expect.any(String),
        title: 'Licensed medical clinics',
        updateFrequency: 'monthly',
        lastUpload: clinics.startedAt,
        dueAt: clinicsDue().toISOString(),
        daysOverdue: 10,
      },
    ]);
    const human = await lake(['status', '--overdue', '--lake-dir', dir], at(now));
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`${CLINICS} +monthly +${clinics.startedAt.slice(0, 10)} .* 10$`, 'm'),
    );
    // The yearly divisions are not late.
    expect(human.stdout).not.toContain(DIVISIONS);
  });

  it('keeps to one department when asked, and refuses --limit with a reason', async () => {
    const now = new Date(clinicsDue().getTime() + 10 * DAY_MS);
    const r = await lake(
      ['status', '--overdue', '--department', 'statistics', '--json', '--lake-dir', dir],
      at(now),
    );
    expect(r.json<OverdueReport>()).toMatchObject({ overdue: [], noUploadYet: [] });
    const bad = await lake(['status', '--overdue', '--limit', '3', '--lake-dir', dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--limit/);
  });

  it('names LAKE_NOW when it is not a date', async () => {
    const r = await lake(['status', '--overdue', '--lake-dir', dir], { env: { LAKE_NOW: 'tomorrow' } });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/LAKE_NOW="tomorrow"/);
    expect(r.stderr).toMatch(/LAKE_NOW is for tests/);
  });
});

describe('lake catalog: catalogue metadata and freshness', () => {
  it('lists how each dataset is shared, opened and updated', async () => {
    // Act
    const r = await lake(['catalog', '--json', '--lake-dir', dir]);
    const human = await lake(['catalog', '--lake-dir', dir]);

    // Assess
    const list = r.json<{ datasets: DatasetInfo[] }>().datasets;
    const clinicsInfo = list.find((d) => d.dataset === CLINICS);
    expect(clinicsInfo?.catalogue).toMatchObject({
      sharing: { type: 'unconditional', conditions: null, basis: null },
      opening: { type: 'conditional' },
      updateFrequency: 'monthly',
    });
    expect(human.stdout).toMatch(
      /health\.clinics .*unconditional 无条件共享 +conditional 有条件开放 +monthly/,
    );
    expect(human.stdout).toMatch(
      /civil_affairs\.assistance_payments .*conditional 有条件共享 +none 不予开放 +monthly/,
    );
  });

  it("shows every catalogue key on the dataset page, the area's name and the freshness", async () => {
    // Act
    const now = new Date(clinicsDue().getTime() + 10 * DAY_MS);
    const r = await lake(['catalog', CLINICS, '--json', '--sample', '0', '--lake-dir', dir], at(now));
    const human = await lake(['catalog', CLINICS, '--sample', '0', '--lake-dir', dir], at(now));

    // Assess
    expect(r.code).toBe(0);
    const d = r.json<DatasetDetail>();
    expect(d.catalogue).toMatchObject({
      license: 'CC-BY-4.0',
      keywords: expect.arrayContaining(['诊所', 'clinics']),
      theme: [{ code: 'HEAL', name: 'Health', nameZh: '卫生健康' }],
      spatial: { code: '520000', name: '贵州省' },
      contactPoint: { name: expect.stringContaining('贵州省卫生健康委员会'), email: null, telephone: null },
      opening: { type: 'conditional', basis: expect.stringContaining('第二十六条') },
    });
    expect(d.freshness).toMatchObject({ state: 'overdue', lastUpload: clinics.startedAt, daysOverdue: 10 });
    expect(human.stdout).toMatch(/^sharing: +unconditional \(无条件共享\)$/m);
    expect(human.stdout).toMatch(/^opening: +conditional \(有条件开放\)$/m);
    expect(human.stdout).toMatch(/^opening basis: +《贵州省政府数据共享开放条例》/m);
    expect(human.stdout).toMatch(/^update frequency: +monthly$/m);
    expect(human.stdout).toMatch(/^overdue: +yes, 10 days past the due date$/m);
    expect(human.stdout).toMatch(/^theme: +HEAL Health \(卫生健康\)$/m);
    expect(human.stdout).toMatch(/^area: +520000 贵州省$/m);
    expect(human.stdout).toMatch(/^licence: +CC-BY-4.0$/m);
  });

  it('says a dataset is not overdue before its due date, and waits for a first upload', async () => {
    const now = new Date(clinics.startedAt);
    const current = await lake(['catalog', CLINICS, '--json', '--sample', '0', '--lake-dir', dir], at(now));
    expect(current.json<DatasetDetail>().freshness).toMatchObject({
      state: 'current',
      dueAt: clinicsDue().toISOString(),
    });
    const never = await lake(['catalog', 'transport/bus_stops', '--sample', '0', '--lake-dir', dir], at(now));
    expect(never.stdout).toMatch(/^overdue: +no accepted upload yet$/m);
    expect(never.stdout).toMatch(/^area: +520100 贵阳市$/m);
  });
});
