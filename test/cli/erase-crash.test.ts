/**
 * `lake erase` cut short, then run again: a crash after each step (and one between two raw originals),
 * each on another person, then the same request through the CLI. Each retry ends with the person gone from
 * every layer, every count once, and every other row in place, also after earlier erasures emptied lines of
 * the same originals. Then one row key erased with --dataset/--key.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContractSet } from '../../src/cli/contracts.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { ERASE_STEPS, type EraseStep, eraseSubject } from '../../src/ingest/erase.ts';
import type { ErasureReceipt } from '../../src/ingest/erase-receipt.ts';
import { localS3Client } from '../../src/ingest/local-s3.ts';
import { LocalLake } from '../../src/local/local-lake.ts';
import { hmacHex } from '../../src/privacy/protect.ts';
import {
  filesHolding,
  makeProject,
  PAYMENTS,
  parquetRows,
  parquetRowsHolding,
  paymentsCsv,
  RELIEF,
  reliefCsv,
  residentIds,
} from './erase-fixtures.ts';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let project: string;
let lakeDir: string;
let remove: () => Promise<void>;
const ids = residentIds(120, 815);

beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  project = await makeProject(dir);
  lakeDir = join(dir, 'lake');
  let last = 0;
  const ingest = async (name: string, text: string, dataset: string) => {
    const wait = Math.floor(last / 1000) === Math.floor(Date.now() / 1000) ? 1010 - (Date.now() % 1000) : 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await writeFile(join(dir, name), text);
    const r = await lake(['ingest', join(dir, name), '--dataset', dataset, '--json', ...at()], {
      cwd: project,
    });
    last = Date.now();
    expect(r.code, r.stderr).toBe(0);
    return r.json<IngestReport>();
  };
  const september = paymentsCsv(ids.slice(0, 100), 1);
  await ingest('payments-09.csv', september, PAYMENTS);
  await ingest('payments-09-copy.csv', september, PAYMENTS);
  await ingest('relief.csv', reliefCsv(ids.slice(0, 20), 1, new Set([ids[2], ids[5]])), RELIEF);
});
afterAll(async () => {
  await remove();
});

const at = () => ['--lake-dir', lakeDir];

async function storeRows(): Promise<number> {
  const rows = await parquetRows(join(lakeDir, 's3'), (f) => `SELECT count(*) AS n FROM ${f}`);
  return rows.reduce((n, r) => n + Number(r.n), 0);
}

async function hashKey(): Promise<Buffer> {
  return Buffer.from((await readFile(join(lakeDir, 'hash-key'), 'utf8')).trim(), 'hex');
}

/** The relief cases still published, by case id, and the payments' resident hashes. */
async function published(): Promise<{ cases: Set<string>; payments: Set<string> }> {
  const r = await lake(['query', 'SELECT case_id FROM civil_affairs.relief_cases', '--json', ...at()], {
    cwd: project,
  });
  const p = await lake(
    ['query', 'SELECT resident_id FROM civil_affairs.assistance_payments', '--json', ...at()],
    {
      cwd: project,
    },
  );
  return {
    cases: new Set(r.json<{ rows: { case_id: string }[] }>().rows.map((x) => x.case_id)),
    payments: new Set(p.json<{ rows: { resident_id: string }[] }>().rows.map((x) => x.resident_id)),
  };
}

/** The erasure in this process, against the lake, crashing after `after` or at the second raw rewrite. */
async function crashed(person: string, requestId: string, crash: { after?: EraseStep; secondRaw?: boolean }) {
  const local = await LocalLake.open({ lakeDir, contracts: new Map() });
  const s3: S3Client = localS3Client(local.endpoint);
  let rawPuts = 0;
  if (crash.secondRaw) {
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Bucket?: string };
        if (
          context.commandName === 'PutObjectCommand' &&
          input.Bucket === local.buckets.raw &&
          ++rawPuts === 2
        )
          throw new Error('injected crash before the second raw original');
        return next(args);
      },
      { step: 'initialize', name: 'crashOnRaw' },
    );
  }
  const contracts = loadContractSet(
    { datasetsDir: join(project, 'datasets'), departmentsFile: join(project, 'departments.yaml') },
    project,
  ).datasets;
  try {
    await expect(
      eraseSubject(
        {
          s3,
          buckets: local.buckets,
          contracts,
          hashKey: await hashKey(),
          bypassGovernance: false,
          afterStep: (s) => {
            if (s === crash.after) throw new Error(`injected crash after ${s}`);
          },
        },
        { requestId, subject: { kind: 'person', residentId: person }, by: 'test', reason: 'cut short' },
      ),
    ).rejects.toThrow(/injected crash/);
  } finally {
    s3.destroy();
    await local.close();
  }
}

const cases: { name: string; crash: { after?: EraseStep; secondRaw?: boolean } }[] = [
  ...ERASE_STEPS.filter((s) => s !== 'completed').map((s) => ({
    name: `after the step "${s}"`,
    crash: { after: s },
  })),
  { name: 'between two raw originals', crash: { secondRaw: true } },
];

describe('an erasure cut short, then run again', () => {
  cases.forEach(({ name, crash }, i) => {
    it(`${name}: the retry removes the person once from every layer and leaves everyone else`, async () => {
      // Prepare: a person in September (uploaded twice) and in relief (a two-line note for some)
      const person = ids[1 + i];
      const requestId = `crash-${i}`;
      const before = { rows: await storeRows(), ...(await published()) };
      const hash = hmacHex(await hashKey(), person);
      expect(before.payments.has(hash)).toBe(true);

      // Act: the crash, then the same request through the CLI
      await crashed(person, requestId, crash);
      const r = await lake(
        ['erase', '--person', person, '--reason', 'retried', '--request', requestId, '--json', ...at()],
        {
          cwd: project,
        },
      );

      // Assess: complete, counted once, the first request's reason kept
      expect(r.code, r.stderr).toBe(0);
      const receipt = r.json<ErasureReceipt>();
      expect(receipt).toMatchObject({ reason: 'cut short', completedAt: expect.any(String) });
      const multiline = person === ids[2] || person === ids[5];
      expect(receipt.datasets[PAYMENTS]).toEqual({
        curatedRows: 1,
        quarantineRows: 0,
        rawLines: 2,
        rawObjects: 2,
        // a landing file is deleted whole (its original stays in raw): the first erasure deleted them
        landingObjects: i === 0 ? 2 : 0,
      });
      expect(receipt.datasets[RELIEF]).toEqual({
        curatedRows: 2, // the upload's file and the merged state
        quarantineRows: 0,
        rawLines: multiline ? 2 : 1,
        rawObjects: 1,
        landingObjects: i === 0 ? 1 : 0,
      });
      // ...the person gone from every file, everyone else there
      expect(await filesHolding(lakeDir, person)).toEqual([]);
      expect(await parquetRowsHolding(lakeDir, hash)).toBe(0);
      expect(await storeRows()).toBe(before.rows - 3);
      const after = await published();
      const caseId = `RC${String(2 + i).padStart(5, '0')}`;
      expect([...before.cases].filter((c) => !after.cases.has(c))).toEqual([caseId]);
      expect([...before.payments].filter((h) => !after.payments.has(h))).toEqual([hash]);
    });
  });
});

describe('lake erase --dataset --key', () => {
  it('erases one payment by its primary key from every layer, and nothing else', async () => {
    const before = { rows: await storeRows(), ...(await published()) };
    const r = await lake(
      [
        'erase',
        '--dataset',
        PAYMENTS,
        '--key',
        'payment_id=MZ202609000050',
        '--reason',
        'wrong person paid',
        '--json',
        ...at(),
      ],
      { cwd: project },
    );
    expect(r.code, r.stderr).toBe(0);
    const receipt = r.json<ErasureReceipt>();
    expect(receipt).toMatchObject({
      kind: 'key',
      scope: { datasets: [PAYMENTS], keyColumns: ['payment_id'] },
    });
    expect(receipt.datasets[PAYMENTS]).toEqual({
      curatedRows: 1,
      quarantineRows: 0,
      rawLines: 2,
      rawObjects: 2,
      landingObjects: 0,
    });
    expect(JSON.stringify(receipt)).not.toContain('MZ202609000050');
    expect(await filesHolding(lakeDir, 'MZ202609000050')).toEqual([]);
    expect(await parquetRowsHolding(lakeDir, 'MZ202609000050')).toBe(0);
    expect(await storeRows()).toBe(before.rows - 1);
    const after = await published();
    expect([...before.payments].filter((h) => !after.payments.has(h))).toEqual([
      hmacHex(await hashKey(), ids[49]),
    ]);
  });

  it('asks for every primary key column, and a reason', async () => {
    const wrong = await lake(
      ['erase', '--dataset', PAYMENTS, '--key', 'county_code=520102', '--reason', 'x', '--json', ...at()],
      {
        cwd: project,
      },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.error().code).toBe('invalid_key');
    const noReason = await lake(['erase', '--dataset', PAYMENTS, '--key', 'payment_id=MZ1', ...at()], {
      cwd: project,
    });
    expect(noReason.code).toBe(2);
  });
});
