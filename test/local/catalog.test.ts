/**
 * The local catalog: tables mirroring the Glue definitions, replace = the current upload only, append = all
 * uploads, and a query connection that reads the published data and nothing else.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatasets } from '../../src/contracts/index.ts';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { datasetModel } from '../../src/lake/dataset-model.ts';
import { glueColumns, gluePartitionKeys } from '../../src/lake/glue-table.ts';
import { viewSql } from '../../src/local/catalog.ts';
import { CatalogReader, QueryError } from '../../src/local/catalog-reader.ts';
import { LocalLake } from '../../src/local/local-lake.ts';
import { EXAMPLES, ROOT, tempLakeDir } from '../cli/helpers.ts';

const contracts = loadDatasets(join(ROOT, 'datasets'));
const clinics = datasetModel(contracts.get('health/clinics') as DatasetContract);
const payments = datasetModel(contracts.get('civil_affairs/assistance_payments') as DatasetContract);

/** The name and DuckDB type of each column of a view. */
async function describeView(sql: string): Promise<[string, string][]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const d = await conn.runAndReadAll(`DESCRIBE ${sql}`);
    return d.getRows().map((r) => [String(r[0]), String(r[1])]);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('viewSql', () => {
  it("has the Glue table's columns and partition keys, typed as the dataset model publishes them", async () => {
    for (const model of [clinics, payments]) {
      const view = await describeView(viewSql(model, [], new Set()));
      const glue = [...glueColumns(model), ...gluePartitionKeys(model)];
      expect(view.map(([name]) => name)).toEqual(glue.map((c) => c.name));
      const published = [...model.columns, ...model.partitions].map((c) => [c.name, c.type.duckdb]);
      expect(view).toEqual(published);
    }
    expect((await describeView(viewSql(payments, [], new Set()))).map(([n]) => n)).not.toContain('phone');
  });

  it('gives a dataset without uploads an empty table with the typed columns', async () => {
    const types = Object.fromEntries(await describeView(viewSql(payments, [], new Set())));
    expect(types).toMatchObject({
      resident_id: 'VARCHAR',
      amount: 'DOUBLE',
      paid_on: 'DATE',
      _source_line: 'BIGINT',
      _ingested_at: 'TIMESTAMP',
      ingest_date: 'VARCHAR',
    });
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const n = await conn.runAndReadAll(`SELECT count(*) FROM (${viewSql(payments, [], new Set())})`);
      expect(Number(n.getRows()[0][0])).toBe(0);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

describe('syncCatalog and CatalogReader on a local lake', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let lake: LocalLake;
  beforeAll(async () => {
    ({ dir, remove } = await tempLakeDir());
    lake = await LocalLake.open({ lakeDir: dir, contracts });
  });
  afterAll(async () => {
    await lake.close();
    await remove();
  });

  async function put(key: string, body: Buffer | string, pause = false) {
    await lake.s3.send(new PutObjectCommand({ Bucket: lake.buckets.landing, Key: key, Body: body }));
    const ref = { department: key.split('/')[1], dataset: key.split('/')[2] };
    const report = await lake.waitForReport(ref, await lake.uploadIdOf(key), { timeoutMs: 60_000 });
    // Upload ids are time-ordered to the second: a later upload of a replace dataset needs a later second.
    if (pause) await new Promise((r) => setTimeout(r, 1100));
    return report;
  }

  async function query(sql: string) {
    await lake.syncCatalog(contracts);
    const reader = await CatalogReader.open(lake.paths);
    try {
      return (await reader.query(sql)).rows;
    } finally {
      reader.close();
    }
  }

  it('shows a replace dataset as its latest upload only, and drops the older files from the cache', async () => {
    const csv = await readFile(join(EXAMPLES, 'statistics/divisions/divisions-guizhou-2024.csv'), 'utf8');
    const first = await put('landing/statistics/divisions/all.csv', csv, true);
    const cities = csv
      .split('\r\n')
      .filter((l, i) => i === 0 || /,市,/.test(l))
      .join('\r\n');
    const second = await put('landing/statistics/divisions/cities.csv', `${cities}\r\n`);

    const rows = await query(
      'SELECT count(*) AS n, min(_upload_id) AS a, max(_upload_id) AS b FROM statistics.divisions',
    );

    expect(first.rows.accepted).toBe(244);
    expect(rows).toEqual([{ n: 9, a: second.uploadId, b: second.uploadId }]);
    const cached = (id: string) =>
      existsSync(
        join(
          lake.paths.cache,
          'curated/statistics/divisions',
          `ingest_date=${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}`,
          `${id}.parquet`,
        ),
      );
    expect(cached(second.uploadId)).toBe(true);
    expect(cached(first.uploadId)).toBe(false);
  });

  it('shows an append dataset as every upload, with the ingest_date partition column', async () => {
    const dirOf = join(EXAMPLES, 'civil_affairs/assistance_payments');
    await put(
      'landing/civil_affairs/assistance_payments/09.csv',
      await readFile(join(dirOf, 'assistance-payments-2026-09.csv')),
    );
    await put(
      'landing/civil_affairs/assistance_payments/10.csv',
      await readFile(join(dirOf, 'assistance-payments-2026-10.csv')),
    );

    const rows = await query(
      'SELECT period, count(*) AS n, count(DISTINCT ingest_date) AS days FROM civil_affairs.assistance_payments GROUP BY period ORDER BY period',
    );

    expect(rows).toEqual([
      { period: '2026-09', n: 1426, days: 1 },
      { period: '2026-10', n: 1451, days: 1 },
    ]);
  });

  it('drops the tables of datasets whose contract is gone, and their schema when it is empty', async () => {
    const fewer = new Map([...contracts].filter(([k]) => k !== 'transport/bus_stops'));
    await lake.syncCatalog(fewer);
    const reader = await CatalogReader.open(lake.paths);
    try {
      const schemas = await reader.query(
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'catalog' AND NOT internal ORDER BY 1",
      );
      expect(schemas.rows.map((r) => r.schema_name)).toEqual([
        'civil_affairs',
        'education',
        'health',
        'statistics',
      ]);
    } finally {
      reader.close();
    }
    await lake.syncCatalog(contracts);
  });

  it('lets analysts read the published data only: no other file, no writes, no settings', async () => {
    await lake.syncCatalog(contracts);
    const reader = await CatalogReader.open(lake.paths);
    try {
      const refused = async (sql: string) => {
        const e = await reader.query(sql).then(
          () => null,
          (err: unknown) => err,
        );
        expect(e, sql).toBeInstanceOf(QueryError);
        return (e as Error).message;
      };
      expect(await refused(`SELECT * FROM read_csv('${join(lake.paths.root, 'hash-key')}')`)).toMatch(
        /disabled|Permission/i,
      );
      expect(await refused(`SELECT * FROM read_parquet('${lake.paths.s3}/**/*')`)).toMatch(
        /disabled|Permission/i,
      );
      expect(await refused('CREATE TABLE main.t (a INTEGER)')).toMatch(/read-only/);
      expect(await refused('SET enable_external_access = true')).toMatch(/locked/);
      expect(await refused('SELEC 1')).toMatch(/syntax error/);
    } finally {
      reader.close();
    }
  });
});
