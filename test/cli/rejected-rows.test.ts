/**
 * Every rejected row, not only the first 100 a report keeps: `lake report --errors all|N|--all` reads
 * them from the quarantine Parquet, `--format csv --output` writes them for the steward, and
 * `lake validate --errors N` lists what it says.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
let file: string;
let uploadId: string;
const at = () => ['--lake-dir', join(dir, 'lake')];
/** 3,000 stops; every 23rd of the first 2,990 (130 of them) has a county code outside Guiyang. */
const BAD = 130;

beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  const lines = ['stop_id,stop_name,county_code,longitude,latitude,routes,shelter,step_free,updated_at'];
  for (let i = 1; i <= 3000; i++) {
    const county = i % 23 === 0 && i / 23 <= BAD ? '999999' : '520102';
    lines.push(`GYBS${String(i).padStart(5, '0')},站${i},${county},106.7,26.5,1路,是,否,2026-11-13 07:16:00`);
  }
  file = join(dir, 'stops.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const r = await lake(['ingest', file, '--dataset', 'transport/bus_stops', '--json', ...at()]);
  expect(r.code).toBe(0);
  const report = r.json<IngestReport>();
  expect(report.rows).toEqual({ total: 3000, accepted: 3000 - BAD, rejected: BAD });
  expect(report.errors).toHaveLength(100);
  uploadId = report.uploadId;
});
afterAll(async () => {
  await remove();
});

/** The source line of the n-th bad row (the header is line 1). */
const badLine = (n: number) => 23 * n + 1;

describe('lake report: every rejected row', () => {
  it('--errors all and --all read every one from quarantine, in source order', async () => {
    for (const flag of [['--errors', 'all'], ['--all']]) {
      const r = await lake(['report', uploadId, ...flag, '--json', ...at()]);
      const { errors } = r.json<IngestReport>();
      expect(errors).toHaveLength(BAD);
      expect(errors.map((e) => e.line)).toEqual(Array.from({ length: BAD }, (_, i) => badLine(i + 1)));
      expect(errors[BAD - 1]).toMatchObject({ column: 'county_code', rule: 'pattern' });
    }
  });

  it('--errors N lists N; without it the report as stored, 20 shown', async () => {
    const some = await lake(['report', uploadId, '--errors', '120', ...at()]);
    expect(some.stdout).toContain('Errors (first 120 of 130)');
    expect(some.stdout).toMatch(new RegExp(`^ *${badLine(120)} +county_code +pattern `, 'm'));
    expect(some.stdout).not.toMatch(new RegExp(`^ *${badLine(121)} `, 'm'));
    const all = await lake(['report', uploadId, '--all', ...at()]);
    expect(all.stdout).toContain('Errors (130)');
    const stored = await lake(['report', uploadId, '--json', ...at()]);
    expect(stored.json<IngestReport>().errors).toHaveLength(100);
    const human = await lake(['report', uploadId, ...at()]);
    expect(human.stdout).toContain('Errors (first 20 of 130)');
  });

  it('--format csv --output writes the errors for a spreadsheet', async () => {
    const out = join(dir, 'errors.csv');
    const r = await lake(['report', uploadId, '--all', '--format', 'csv', '--output', out, ...at()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`130 errors written to ${out} (csv)\n`);
    const lines = readFileSync(out, 'utf8').split('\r\n');
    expect(lines[0]).toBe('\ufeffline,column,rule,message');
    expect(lines[1]).toMatch(new RegExp(`^${badLine(1)},county_code,pattern,`));
    expect(lines).toHaveLength(BAD + 2);
  });

  it('lake status counts the rows: total, accepted, rejected', async () => {
    const r = await lake(['status', ...at()]);
    expect(r.stdout).toMatch(/ +rows total\/accepted\/rejected +/);
    expect(r.stdout).toContain(' 3,000 / 2,870 / 130 ');
  });

  it('refuses an --errors that is neither a number nor all', async () => {
    const r = await lake(['report', uploadId, '--errors', 'many', ...at()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--errors must be a whole number or "all", not "many"');
  });
});

describe('lake validate --errors', () => {
  it('lists as many errors as asked for, beyond the 100 a report keeps', async () => {
    const r = await lake(['validate', file, '--dataset', 'transport/bus_stops', '--errors', '500']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Errors (130)');
    expect(r.stdout).toMatch(new RegExp(`^ *${badLine(130)} +county_code +pattern `, 'm'));
    expect(r.stdout).not.toMatch(/^curated:|^ *curated:/m);
    const json = await lake([
      'validate',
      file,
      '--dataset',
      'transport/bus_stops',
      '--errors',
      'all',
      '--json',
    ]);
    expect(json.json<IngestReport>().errors).toHaveLength(BAD);
  });
});
