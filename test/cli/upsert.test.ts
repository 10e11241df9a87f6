/**
 * mode: upsert through the CLI on the local lake: a correction's rows replace the published rows of the
 * same primary key (the latest upload wins), counts and sums exact; a merge cut short before its switch
 * leaves the table as it was, and the retry (`lake redrive`) finishes it; a withdrawn correction's rows
 * give way to the earlier ones again.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract, parseContract } from '../../src/contracts/load-contract.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { localS3Client, startLocalS3 } from '../../src/ingest/local-s3.ts';
import { processUpload } from '../../src/ingest/process-upload.ts';
import { datasetModel } from '../../src/lake/dataset-model.ts';
import { lakePaths, loadOrCreateHashKey } from '../../src/local/lake-dir.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

const SEPTEMBER = join(ROOT, 'examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv');
const PAYMENTS = 'civil_affairs/assistance_payments';
const CONTRACT = 'datasets/civil_affairs/assistance_payments.yaml';

let dir: string;
let remove: () => Promise<void>;
/** A project whose payments contract says mode: upsert (the repository's says append). */
let project: string;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  project = join(dir, 'project');
  await mkdir(join(project, 'datasets/civil_affairs'), { recursive: true });
  await copyFile(join(ROOT, 'departments.yaml'), join(project, 'departments.yaml'));
  const text = await readFile(join(ROOT, CONTRACT), 'utf8');
  expect(text).toContain('mode: append\n');
  await writeFile(join(project, CONTRACT), text.replace('mode: append\n', 'mode: upsert\n'));
});
afterAll(async () => {
  await remove();
});

const at = () => ['--lake-dir', join(dir, 'lake')];

async function ingest(file: string): Promise<IngestReport> {
  const r = await lake(['ingest', file, '--dataset', PAYMENTS, '--json', ...at()], { cwd: project });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.json<IngestReport>();
}

interface Table {
  n: number;
  ids: number;
  cents: number;
}
/** Rows, distinct payment ids and the paid total in fen of the table. */
async function table(where = 'true'): Promise<Table> {
  const r = await lake(
    [
      'query',
      `SELECT count(*) AS n, count(DISTINCT payment_id) AS ids, CAST(coalesce(sum(round(amount * 100)), 0) AS BIGINT) AS cents FROM civil_affairs.assistance_payments WHERE ${where}`,
      '--json',
      ...at(),
    ],
    { cwd: project },
  );
  expect(r.code).toBe(0);
  const row = r.json<{ rows: Record<string, unknown>[] }>().rows[0];
  return { n: Number(row.n), ids: Number(row.ids), cents: Number(row.cents) };
}

/** September's lines (bytes undecoded) and a correction file of them with amounts set, and new rows. */
async function septemberLines(): Promise<string[]> {
  return (await readFile(SEPTEMBER)).toString('latin1').replace(/\n$/, '').split('\n');
}
function withAmount(line: string, amount: string): string {
  const cells = line.split(',');
  cells[7] = amount;
  return cells.join(',');
}
function withId(line: string, id: string): string {
  return [id, ...line.split(',').slice(1)].join(',');
}
async function writeLines(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, Buffer.from(`${lines.join('\n')}\n`, 'latin1'));
  return path;
}
const idOf = (line: string) => line.split(',')[0];
const cents = (line: string) => Math.round(Number(line.split(',')[7]) * 100);
const ids = (lines: string[]) => lines.map((l) => `'${idOf(l)}'`).join(', ');

describe('an upsert dataset: corrections replace the rows of the same key', () => {
  let september: IngestReport;
  let base: Table;
  let afterFirst: Table;
  let first: IngestReport;

  it('publishes a correction in place of the rows it corrects, and adds its new rows', async () => {
    // Prepare
    september = await ingest(SEPTEMBER);
    base = await table();
    expect(base).toMatchObject({ n: september.rows.accepted, ids: september.rows.accepted });
    const lines = await septemberLines();
    const corrected = lines.slice(1, 4); // lines 2 to 4: published by September
    const added = lines.slice(4, 6).map((l, i) => withId(l, `MZ20260999999${i}`));
    const path = await writeLines('correction-1.csv', [
      lines[0],
      ...corrected.map((l) => withAmount(l, '1000.00')),
      ...added,
    ]);
    const old = await table(`payment_id IN (${ids(corrected)})`);
    expect(old.n).toBe(3);

    // Act: a second after September (upload ids are stamped to the second), so the correction sorts after it
    await new Promise((r) => setTimeout(r, 1_050));
    first = await ingest(path);

    // Assess: 5 rows accepted; 3 replaced, 2 added; the sum moves by exactly the difference
    expect(first.rows).toEqual({ total: 5, accepted: 5, rejected: 0 });
    afterFirst = await table();
    expect(afterFirst).toEqual({
      n: base.n + 2,
      ids: base.n + 2,
      cents: base.cents - old.cents + 3 * 100_000 + added.reduce((s, l) => s + cents(l), 0),
    });
    expect(await table(`payment_id IN (${ids(corrected)}) AND _upload_id = '${first.uploadId}'`)).toEqual({
      n: 3,
      ids: 3,
      cents: 300_000,
    });
  });

  it('lets the latest correction win, and a merge cut short before its switch shows the table as before until the retry', async () => {
    // Prepare: a second correction of one key, sent while the merge is cut short before the switch
    const lines = await septemberLines();
    const path = await writeLines('correction-2.csv', [lines[0], withAmount(lines[1], '2000.00')]);
    const lakeDir = join(dir, 'lake');
    const server = await startLocalS3({ dir: lakePaths(lakeDir).s3 });
    const s3 = localS3Client(server.endpoint);
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string };
        if (context.commandName === 'PutObjectCommand' && input.Key?.endsWith('_current/manifest'))
          throw new Error('injected crash before the switch');
        return next(args);
      },
      { step: 'initialize', name: 'crashBeforeSwitch' },
    );
    const key = `landing/${PAYMENTS}/correction-2.csv`;
    // Upload ids are stamped to the second: land a second after the first correction, so it sorts after it.
    await new Promise((r) => setTimeout(r, 1_050));
    try {
      await s3.send(
        new PutObjectCommand({ Bucket: server.buckets.landing, Key: key, Body: await readFile(path) }),
      );
      const contracts = new Map([[PAYMENTS, loadContract(join(project, CONTRACT))]]);
      const deps = {
        s3,
        buckets: server.buckets,
        contracts,
        hashKey: loadOrCreateHashKey(lakePaths(lakeDir)),
      };

      // Act 1: the merged file is written, the switch fails
      await expect(processUpload(deps, { bucket: server.buckets.landing, key })).rejects.toThrow(
        /injected crash/,
      );
    } finally {
      s3.destroy();
      await server.stop();
    }

    // Assess 1: the table as before
    expect(await table()).toEqual(afterFirst);

    // Act 2: the retry
    const redrive = await lake(['redrive', '--json', ...at()], { cwd: project });
    expect(redrive.code).toBe(0);
    expect(redrive.json<{ resubmitted: string[] }>().resubmitted).toEqual([key]);

    // Assess 2: the later correction wins for its key, everything else as after the first
    expect(await table()).toEqual({ ...afterFirst, cents: afterFirst.cents - 100_000 + 200_000 });
    expect(await table(`payment_id = '${idOf(lines[1])}'`)).toMatchObject({ n: 1, cents: 200_000 });
  });

  it('gives the earlier rows back when a correction is withdrawn', async () => {
    const r = await lake(['withdraw', first.uploadId, '--reason', 'wrong amounts', '--json', ...at()], {
      cwd: project,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = await septemberLines();
    // Line 2 keeps the second correction; lines 3 and 4 are September's again; the two added rows are gone.
    expect(await table()).toEqual({
      n: base.n,
      ids: base.n,
      cents: base.cents - cents(lines[1]) + 200_000,
    });
  });
  it('is empty once every upload is withdrawn', async () => {
    const status = await lake(['status', '--dataset', PAYMENTS, '--json', ...at()], { cwd: project });
    const live = status
      .json<{ uploads: { uploadId: string; status: string; withdrawal?: unknown }[] }>()
      .uploads.filter((u) => (u.status === 'accepted' || u.status === 'partial') && !u.withdrawal);
    expect(live).toHaveLength(2); // September and the second correction
    for (const u of live) {
      const r = await lake(['withdraw', u.uploadId, '--reason', 'all sent again', ...at()], { cwd: project });
      expect(r.code).toBe(0);
    }
    expect(await table()).toEqual({ n: 0, ids: 0, cents: 0 });
  });
});

describe('the contract of an upsert dataset', () => {
  const contractText = (more: string) =>
    `name: corrections\ndepartment: civil_affairs\ntitle: Corrections\nmode: upsert\n${more}fields:\n  - name: payment_id\n  - name: resident_id\n    pii: cn_resident_id\n`;

  it('needs a primaryKey, and says so', () => {
    expect(() => parseContract(contractText(''), 'datasets/civil_affairs/corrections.yaml')).toThrow(
      /mode: upsert replaces rows by their primary key: add primaryKey/,
    );
  });

  it('refuses a masked key, which cannot identify a row, and names the fix', () => {
    expect(() =>
      parseContract(contractText('primaryKey: [resident_id]\n'), 'datasets/civil_affairs/corrections.yaml'),
    ).toThrow(/primaryKey "resident_id" as published.*protect: hash/);
    expect(
      parseContract(contractText('primaryKey: [payment_id]\n'), 'datasets/civil_affairs/corrections.yaml')
        .mode,
    ).toBe('upsert');
  });

  it('is read, by the Glue table and the local view alike, through the current-upload manifest', () => {
    const model = datasetModel(
      parseContract(contractText('primaryKey: [payment_id]\n'), 'datasets/civil_affairs/corrections.yaml'),
    );
    expect(model.partitions).toEqual([]);
    expect(model.storage).toEqual({
      curatedPrefix: 'curated/civil_affairs/corrections/',
      tablePrefix: 'curated/civil_affairs/corrections/_current/',
      currentManifestKey: 'curated/civil_affairs/corrections/_current/manifest',
    });
  });
});
