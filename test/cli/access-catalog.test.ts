/**
 * `lake catalog --as <principal>` as the person at the terminal reads it: the list's `access` column
 * (reads, reads with columns withheld, request, no) with its legend, and the dataset page's lines on what
 * the identity may read and the exact `lake access request` that would give it the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../src/access/index.ts';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
const env = { LAKE_NOW: '2026-12-01T09:00:00Z' };

async function as(who: string | null, args: string[]) {
  return lake([...args, '--lake-dir', dir, ...(who ? ['--as', who] : [])], { env });
}

/** The list's rows: table name -> its access cell (the last column). */
function accessColumn(stdout: string): Map<string, string> {
  const rows = stdout.split('\n').filter((l) => /^\S+\.\S+\s/.test(l));
  return new Map(
    rows.map((l) => [
      l.split(/\s+/)[0],
      l
        .trimEnd()
        .split(/\s{2,}/)
        .pop() as string,
    ]),
  );
}

/** A page line's value, `<label>  <value>`. */
function field(stdout: string, label: string): string | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${label} `) || l.startsWith(`${label}:`));
  return line?.slice(label.length).replace(/^:?\s+/, '');
}

beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  for (const [file, dataset] of [
    [
      'examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv',
      'civil_affairs/assistance_payments',
    ],
    ['examples/health/clinics/clinics-2026-11.csv', 'health/clinics'],
  ]) {
    const r = await lake(['ingest', file, '--dataset', dataset, '--json', '--lake-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);
afterAll(async () => {
  await remove();
});

describe('lake catalog --as: the access column', () => {
  it('says, per dataset, whether the identity reads it, must ask, or cannot', async () => {
    const health = await as('analyst:health', ['catalog']);
    expect(health.code, health.stderr).toBe(0);
    const cells = accessColumn(health.stdout);
    expect(cells.get('health.clinics')).toBe('reads');
    expect(cells.get('civil_affairs.assistance_payments')).toBe('request');
    expect(health.stdout).toContain('access (--as): reads = you may query it');

    // Another department reads the clinics without their restricted column.
    const stats = accessColumn((await as('analyst:statistics', ['catalog'])).stdout);
    expect(stats.get('health.clinics')).toBe('reads (1 withheld)');

    // An enterprise: the assistance records are not opened at all.
    const firm = accessColumn((await as('enterprise:acme', ['catalog'])).stdout);
    expect(firm.get('civil_affairs.assistance_payments')).toBe('no');
  });

  it('is not there for the operator', async () => {
    const r = await as(null, ['catalog']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('access (--as)');
    expect(r.stdout.split('\n')[0]).not.toMatch(/\baccess\b/);
  });
});

describe('lake catalog <d>/<x> --as: the page', () => {
  it('gives the request to make, and shows no rows, for a dataset shared on request', async () => {
    const r = await as('analyst:health', ['catalog', 'civil_affairs/assistance_payments']);
    expect(r.code, r.stderr).toBe(0);
    expect(field(r.stdout, 'you may read')).toBe(
      'nothing yet: it is shared on request, and you have no grant',
    );
    expect(field(r.stdout, 'to request it')).toBe(
      'lake access request civil_affairs/assistance_payments --purpose "…" --until <YYYY-MM-DD>',
    );
    expect(r.stdout).toContain('sample rows: none (you may not read this table)');
    expect(r.stdout).toMatch(/^period: +- \(you may not read this table\)$/m);
    // Nor how many rows it has: counted only where the identity reads the table (as Athena does on AWS).
    expect(field(r.stdout, 'rows')).toBe('-');
    const own = await as('analyst:civil_affairs', ['catalog', 'civil_affairs/assistance_payments']);
    expect(field(own.stdout, 'rows')).toMatch(/^[1-9]\d*$/);
  });

  it('names the withheld columns of a dataset read in part, and the grant a request gave', async () => {
    const clinics = await as('analyst:statistics', ['catalog', 'health/clinics']);
    expect(field(clinics.stdout, 'you may read')).toBe(
      'every column but license_holder_id (shared unconditionally)',
    );
    expect(field(clinics.stdout, 'to request it')).toBeUndefined();

    const asked = await lake(
      [
        'access',
        'request',
        'civil_affairs/assistance_payments',
        '--purpose',
        'county totals for the health-poverty report',
        '--until',
        '2026-12-31',
        '--columns',
        'county_code,program,amount',
        '--json',
        '--lake-dir',
        dir,
        '--as',
        'analyst:health',
      ],
      { env },
    );
    expect(asked.code, asked.stderr).toBe(0);
    const id = asked.json<{ request: AccessRequest }>().request.id;
    expect((await as('steward:civil_affairs', ['access', 'approve', id])).code).toBe(0);

    const page = await as('analyst:health', ['catalog', 'civil_affairs/assistance_payments']);
    const read = field(page.stdout, 'you may read') ?? '';
    expect(read).toMatch(new RegExp(`^every column but .*resident_id.* \\(through grant ${id}\\)$`));
    expect(read).not.toMatch(/\b(county_code|program|amount),/);
    expect(accessColumn((await as('analyst:health', ['catalog'])).stdout).get(PAYMENTS)).toMatch(
      /^reads \(\d+ withheld\)$/,
    );
  });
});

const PAYMENTS = 'civil_affairs.assistance_payments';
