/** `lake redrive` on the local lake: uploads left without a report are processed again. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors.ts';
import { startLocalS3 } from '../../src/ingest/local-s3.ts';
import { lakePaths } from '../../src/local/lake-dir.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const FILE = 'examples/transport/bus_stops/bus-stops-guiyang-2026-11.csv';
const KEY = 'landing/transport/bus_stops/bus-stops-guiyang-2026-11.csv';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterAll(async () => {
  await remove();
});

describe('lake redrive, locally', () => {
  it('processes the landing objects that have no report, once', async () => {
    // Prepare: an upload that landed while no transformer ran (as one whose processing failed for good).
    const s3 = await startLocalS3({ dir: lakePaths(join(dir, '.lake')).s3 });
    const client = s3.client();
    await client.send(
      new PutObjectCommand({ Bucket: s3.buckets.landing, Key: KEY, Body: readFileSync(join(ROOT, FILE)) }),
    );
    await s3.stop();
    const at = ['--lake-dir', join(dir, '.lake'), '--datasets', join(ROOT, 'datasets')];
    expect((await lake(['status', '--json', ...at], { cwd: ROOT })).json()).toEqual({ uploads: [] });

    // Act
    const first = await lake(['redrive', '--json', ...at], { cwd: ROOT });
    const again = await lake(['redrive', ...at], { cwd: ROOT });

    // Assess: resubmitted once, its report written; a second redrive finds nothing to do.
    expect(first.code).toBe(EXIT.ok);
    expect(first.json()).toEqual({ mode: 'local', resubmitted: [KEY] });
    const { uploads } = (await lake(['status', '--json', ...at], { cwd: ROOT })).json<{
      uploads: { dataset: string; sourceKey: string; rows: { total: number } }[];
    }>();
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ dataset: 'transport/bus_stops', sourceKey: KEY });
    expect(uploads[0].rows.total).toBeGreaterThan(0);
    expect(again.code).toBe(EXIT.ok);
    expect(again.stdout).toContain('nothing to send back');
  });
});
