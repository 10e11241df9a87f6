/**
 * Fixtures of the erasure tests: a project with the payments contract (resident ID hashed, append) and a
 * test-only relief contract (resident ID masked, upsert, a free-text note that may span lines), files of
 * generated people, and an independent look at every file under a lake directory.
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { residentIdCheckChar } from '../../src/privacy/detectors/cn-resident-id.ts';
import { mulberry32 } from '../support/random.ts';
import { ROOT } from './helpers.ts';

export const PAYMENTS = 'civil_affairs/assistance_payments';
export const RELIEF = 'civil_affairs/relief_cases';

const RELIEF_CONTRACT = `name: relief_cases
department: civil_affairs
title: Relief cases (erasure tests)
classification: internal
mode: upsert
primaryKey: [case_id]
format: { type: csv }
fields:
  - name: case_id
    type: string
    constraints: { required: true }
  - name: resident_id
    type: string
    pii: cn_resident_id
    protect: mask
  - name: note
    type: string
  - name: amount
    type: number
`;

/** A project directory with the two contracts and departments.yaml. */
export async function makeProject(dir: string): Promise<string> {
  const project = join(dir, 'project');
  await mkdir(join(project, 'datasets/civil_affairs'), { recursive: true });
  await copyFile(join(ROOT, 'departments.yaml'), join(project, 'departments.yaml'));
  const payments = 'datasets/civil_affairs/assistance_payments.yaml';
  await copyFile(join(ROOT, payments), join(project, payments));
  await writeFile(join(project, 'datasets/civil_affairs/relief_cases.yaml'), RELIEF_CONTRACT);
  return project;
}

/** Valid resident IDs, all different, from a seed. */
export function residentIds(n: number, seed: number): string[] {
  const random = mulberry32(seed);
  const out = new Set<string>();
  while (out.size < n) {
    const birth = new Date(Date.UTC(1940 + Math.floor(random() * 60), 0, 1 + Math.floor(random() * 365)));
    const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '');
    const seq = String(Math.floor(random() * 1000)).padStart(3, '0');
    const first17 = `520102${ymd}${seq}`;
    out.add(first17 + residentIdCheckChar(first17));
  }
  return [...out];
}

const PAYMENTS_HEADER =
  '支付编号,身份证号,姓名,联系电话,所在区县代码,所在乡镇街道代码,救助类别,发放金额,所属期,发放日期';

/** A payments file: one row per ID, payment ids from `first`; an amount of -1 is quarantined. */
export function paymentsCsv(
  ids: readonly string[],
  first: number,
  amounts: (i: number) => string = () => '500.00',
): string {
  const rows = ids.map((id, i) => {
    const n = String(first + i).padStart(6, '0');
    return `MZ202609${n},${id},张三,13800000000,520102,520102026,城市最低生活保障,${amounts(i)},2026-09,2026-09-09`;
  });
  return `${PAYMENTS_HEADER}\n${rows.join('\n')}\n`;
}

/** A relief file: one case per ID; `multiline` IDs get a note spanning two lines. */
export function reliefCsv(ids: readonly string[], first: number, multiline: ReadonlySet<string>): string {
  const rows = ids.map((id, i) => {
    const note = multiline.has(id) ? '"首次申请\n复核通过"' : '首次申请';
    return `RC${String(first + i).padStart(5, '0')},${id},${note},${100 + i}`;
  });
  return `case_id,resident_id,note,amount\n${rows.join('\n')}\n`;
}

/** Every file under `dir` (recursively). */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}

/** The files under `dir` whose bytes hold `needle` (as UTF-8 or, for hex, in either case). */
export async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const f of await filesUnder(dir)) {
    const text = (await readFile(f)).toString('latin1');
    if (text.includes(needle) || text.toLowerCase().includes(needle.toLowerCase())) hits.push(f);
  }
  return hits;
}

/** Rows of every Parquet file under the lake (store and cache) whose text holds `needle`, read independently. */
export async function parquetRowsHolding(lakeDir: string, needle: string): Promise<number> {
  const lit = needle.toLowerCase().replaceAll("'", "''");
  const rows = await parquetRows(
    lakeDir,
    (f) => `SELECT count(*) AS n FROM ${f} t WHERE contains(lower(CAST(t AS VARCHAR)), '${lit}')`,
  );
  return rows.reduce((n, r) => n + Number(r.n), 0);
}

/** Every Parquet file of the lake's store and cache, read by an independent DuckDB. */
export async function parquetRows(
  lakeDir: string,
  sql: (file: string) => string,
): Promise<Record<string, unknown>[]> {
  const files: string[] = [];
  for (const f of await filesUnder(lakeDir)) {
    const head = await readFile(f).then((b) => b.subarray(0, 4).toString('latin1'));
    if (head === 'PAR1') files.push(f);
  }
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const out: Record<string, unknown>[] = [];
    for (const f of files) {
      const r = await conn.runAndReadAll(
        sql(`read_parquet('${f.replaceAll("'", "''")}', union_by_name = true)`),
      );
      for (const row of r.getRowObjectsJS()) out.push({ file: f, ...row });
    }
    return out;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
