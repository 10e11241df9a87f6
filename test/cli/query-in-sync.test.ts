/**
 * A query on a local lake that has not changed since the catalog was last synced opens the catalog as it
 * is: no lake is opened (no S3 endpoint started, no S3 client), and catalog-sync.json is left alone. Any
 * change (an upload, a withdrawal, other contracts) is seen by the next query.
 */
import { readFileSync, statSync } from 'node:fs';
import { copyFile, cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import { LOCAL_BUCKETS } from '../../src/ingest/local-s3.ts';
import { LOCAL_CURATED_BUCKET, lakePaths } from '../../src/local/lake-dir.ts';
import { LocalLake } from '../../src/local/local-lake.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterAll(async () => {
  await remove();
});

const at = () => ['--lake-dir', dir];

async function count(table: string, more: string[] = []): Promise<number> {
  const r = await lake(['query', `SELECT count(*) AS n FROM ${table}`, '--json', ...at(), ...more]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return Number(r.json<{ rows: { n: number }[] }>().rows[0].n);
}

/** The saved sync state: its text and its file's inode and time (a rewrite changes them). */
function syncState(): string {
  const path = lakePaths(dir).catalogState;
  const s = statSync(path);
  return `${readFileSync(path, 'utf8')} ${s.ino} ${s.mtimeMs}`;
}

async function ingest(file: string, dataset: string): Promise<IngestReport> {
  const r = await lake(['ingest', file, '--dataset', dataset, '--json', ...at()]);
  expect(r.code).toBe(0);
  return r.json<IngestReport>();
}

describe('a query on a lake unchanged since the last sync', () => {
  let divisions: IngestReport;

  it('opens no lake, and reads the same rows', async () => {
    // Prepare: an upload, then a query that syncs the catalog
    divisions = await ingest(
      'examples/statistics/divisions/divisions-guizhou-2024.csv',
      'statistics/divisions',
    );
    const before = LocalLake.opened;
    expect(await count('statistics.divisions')).toBe(244);
    expect(LocalLake.opened).toBe(before + 1);
    const state = syncState();

    // Act
    const again = await count('statistics.divisions');
    const catalog = await lake(['catalog', '--json', ...at()]);

    // Assess
    expect(again).toBe(244);
    expect(catalog.json<{ datasets: { dataset: string; rows: number }[] }>().datasets).toContainEqual(
      expect.objectContaining({ dataset: 'statistics/divisions', rows: 244 }),
    );
    expect(LocalLake.opened).toBe(before + 1);
    expect(syncState()).toBe(state);
  });

  it('sees an upload made since', async () => {
    expect(await count('health.clinics')).toBe(0);
    await ingest('examples/health/clinics/clinics-2026-11.csv', 'health/clinics');
    const before = LocalLake.opened;
    expect(await count('health.clinics')).toBe(521);
    expect(LocalLake.opened).toBe(before + 1);
  });

  it('sees a withdrawal made since (the current-upload manifest gone, no file added)', async () => {
    const w = await lake(['withdraw', divisions.uploadId, '--reason', 'test', '--json', ...at()]);
    expect(w.code).toBe(0);
    expect(await count('statistics.divisions')).toBe(0);
  });

  it('syncs again for a changed contract, and when the saved state is gone', async () => {
    // Prepare: the same project with one contract's title changed
    const project = join(dir, 'project');
    await cp(join(ROOT, 'datasets'), join(project, 'datasets'), { recursive: true });
    await copyFile(join(ROOT, 'departments.yaml'), join(project, 'departments.yaml'));
    const contract = join(project, 'datasets/health/clinics.yaml');
    const text = await readFile(contract, 'utf8');
    expect(text).toMatch(/^title: .+$/m);
    await writeFile(contract, text.replace(/^title: .+$/m, 'title: Clinics, renamed'));
    const before = LocalLake.opened;

    // Act, Assess: the view is defined again, with the new title
    const r = await lake(['catalog', 'health/clinics', '--json', ...at()], { cwd: project });
    expect(r.json<{ title: string; rows: number }>()).toMatchObject({ title: 'Clinics, renamed', rows: 521 });
    const comment = await lake(
      ['query', "SELECT comment FROM duckdb_views() WHERE view_name = 'clinics'", '--json', ...at()],
      { cwd: project },
    );
    expect(comment.json<{ rows: { comment: string }[] }>().rows[0].comment).toMatch(/^Clinics, renamed/);
    expect(LocalLake.opened).toBeGreaterThan(before);

    const unchanged = LocalLake.opened;
    await count('health.clinics');
    expect(LocalLake.opened).toBe(unchanged + 1); // the repository's contracts again
    await count('health.clinics');
    expect(LocalLake.opened).toBe(unchanged + 1);
    await rm(lakePaths(dir).catalogState);
    expect(await count('health.clinics')).toBe(521);
    expect(LocalLake.opened).toBe(unchanged + 2);
  });

  it('names the curated bucket as the local S3 endpoint does', () => {
    expect(LOCAL_CURATED_BUCKET).toBe(LOCAL_BUCKETS.curated);
  });
});
