/**
 * Micro-benchmark of the SQL twins of src/privacy (not a test: no timing is asserted anywhere).
 *
 *   node --import tsx test/privacy/bench-sql.ts [--rows 1000000] [--repeat 3] [--only <label substring>]
 *
 * Builds a table of realistic values in an in-memory DuckDB with one thread (mobiles, resident IDs, Chinese
 * names, emails, card numbers, addresses; a few percent padded with spaces, grouped, prefixed or
 * lowercased, a few empty), then times `SELECT count(x) FROM (SELECT <expr> AS x FROM t)` for each
 * expression, alternating the current builder with the previous one (kept below as LEGACY) so that both
 * run under the same conditions. Each keeps its best time over the repeats: wall time, and the process's
 * CPU time, which other processes on the machine disturb less. Before timing, every pair is checked to
 * give the same value on every row, and to plan without a join.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { fieldProtection, type Protection } from '../../src/contracts/protection.ts';
import type { DetectedPiiKind } from '../../src/contracts/schema.ts';
import { fieldSchema } from '../../src/contracts/schema.ts';
import { sqlTrim } from '../../src/privacy/detector.ts';
import { DETECTORS } from '../../src/privacy/detectors/index.ts';
import { hmacSql, protectSql } from '../../src/privacy/protect.ts';

/* ----------------------------------------------------------------------------------------------------
 * LEGACY: the SQL builders as they were before they were tuned, for the before/after comparison.
 * -------------------------------------------------------------------------------------------------- */

const LEGACY_SPACE =
  '[\\x{9}-\\x{D}\\x{20}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}-\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();

const legacyTrim = (col: string) =>
  `regexp_replace(regexp_replace(${col}, '^${LEGACY_SPACE}+', ''), '${LEGACY_SPACE}+$', '')`;
const legacyUpper = (col: string) =>
  `CASE WHEN strlen(${col}) = length(${col}) THEN upper(${col}) ELSE translate(${col}, '${LOWER}', '${UPPER}') END`;
const legacyLower = (col: string) =>
  `CASE WHEN strlen(${col}) = length(${col}) THEN lower(${col}) ELSE translate(${col}, '${UPPER}', '${LOWER}') END`;
const legacyStarAll = (col: string) => `repeat('*', length(${col}))`;

const MOBILE_SHAPE = '(?:(?:\\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}';
const ID_MASK_SHAPE = '[0-9]{17}[0-9X]|[0-9]{15}';
const CARD_GROUPS = '[0-9]+(?:[ -][0-9]+)*';

const LEGACY: Record<DetectedPiiKind, { sqlNormalize(c: string): string; sqlMask(c: string): string }> = {
  cn_mobile: {
    sqlNormalize(col) {
      const t = legacyTrim(col);
      return `CASE WHEN regexp_full_match(${t}, '${MOBILE_SHAPE}') THEN right(regexp_replace(${t}, '[^0-9]', '', 'g'), 11) ELSE ${t} END`;
    },
    sqlMask(col) {
      const n = LEGACY.cn_mobile.sqlNormalize(col);
      return `CASE WHEN regexp_full_match(${n}, '1[3-9][0-9]{9}') THEN left(${n}, 3) || '****' || right(${n}, 4) ELSE ${legacyStarAll(n)} END`;
    },
  },
  cn_resident_id: {
    sqlNormalize: (col) => legacyUpper(legacyTrim(col)),
    sqlMask(col) {
      const n = LEGACY.cn_resident_id.sqlNormalize(col);
      return `CASE WHEN regexp_full_match(${n}, '${ID_MASK_SHAPE}') THEN left(${n}, 6) || repeat('*', length(${n}) - 6) ELSE ${legacyStarAll(n)} END`;
    },
  },
  email: {
    sqlNormalize: (col) => legacyLower(legacyTrim(col)),
    sqlMask(col) {
      const n = LEGACY.email.sqlNormalize(col);
      return `CASE WHEN regexp_full_match(${n}, '[^@]+@[^@]+') THEN left(${n}, 1) || '***@' || split_part(${n}, '@', 2) ELSE ${legacyStarAll(n)} END`;
    },
  },
  bank_card: {
    sqlNormalize(col) {
      const t = legacyTrim(col);
      return `CASE WHEN regexp_full_match(${t}, '${CARD_GROUPS}') THEN regexp_replace(${t}, '[ -]', '', 'g') ELSE ${t} END`;
    },
    sqlMask(col) {
      const n = LEGACY.bank_card.sqlNormalize(col);
      return `CASE WHEN regexp_full_match(${n}, '[0-9]{13,19}') THEN repeat('*', length(${n}) - 4) || right(${n}, 4) ELSE ${legacyStarAll(n)} END`;
    },
  },
};

function legacyHmacSql(expr: string, key: Buffer): string {
  const k = key.length > 64 ? createHash('sha256').update(key).digest() : key;
  const block = Buffer.alloc(64);
  k.copy(block);
  const ipad = Buffer.from(block.map((b) => b ^ 0x36)).toString('hex');
  const opad = Buffer.from(block.map((b) => b ^ 0x5c)).toString('hex');
  return `sha256(unhex('${opad}') || unhex(sha256(unhex('${ipad}') || encode(${expr}))))`;
}

function legacyProtectSql(pii: string, action: 'mask' | 'hash', expr: string, key: Buffer): string {
  const detector = pii in LEGACY ? LEGACY[pii as DetectedPiiKind] : undefined;
  if (action === 'hash') {
    const n = detector ? detector.sqlNormalize(expr) : legacyTrim(expr);
    return `CASE WHEN ${n} = '' THEN '' ELSE ${legacyHmacSql(n, key)} END`;
  }
  if (detector) return detector.sqlMask(expr);
  const t = legacyTrim(expr);
  if (pii === 'person_name')
    return `CASE WHEN ${t} = '' THEN '' ELSE left(${t}, 1) || repeat('*', length(${t}) - 1) END`;
  if (pii === 'address') return `CASE WHEN ${t} = '' THEN '' ELSE left(${t}, 6) || '***' END`;
  return `CASE WHEN ${t} <> '' THEN '***' ELSE ${t} END`;
}

/* ----------------------------------------------------------------------------------------------------
 * The data.
 * -------------------------------------------------------------------------------------------------- */

/**
 * One row per i: r0-r2 are independent pseudo-random numbers and p a per-mille draw that picks the rarer
 * spellings. Proportions: mobiles 1% padded, 1% +86 with dashes, 1% grouped with spaces, 0.5% empty;
 * resident IDs 1% padded, 10% lowercased (so about 1% with a lowercase x), 2% of the legacy 15-digit form,
 * 0.5% empty; names 2% padded with an ideographic space; emails 1% padded, 5% uppercased; cards 1% padded,
 * 10% grouped by 4 with spaces.
 */
function tableSql(rows: number): string {
  return `CREATE TABLE t AS
  WITH r AS (
    SELECT i,
      (hash(i) % 2147483647)::BIGINT AS r0,
      (hash(i + 1000000000) % 2147483647)::BIGINT AS r1,
      (hash(i + 2000000000) % 2147483647)::BIGINT AS r2,
      (hash(i + 3000000000) % 1000)::BIGINT AS p
    FROM range(${rows}) g(i)
  ), v AS (
    SELECT *,
      '1' || (3 + r0 % 7)::VARCHAR || lpad((r1 % 1000000000)::VARCHAR, 9, '0') AS mob,
      ['520102', '520103', '520111', '520113', '520302', '520402', '520502', '522601'][1 + r0 % 8]
        || (1940 + r1 % 80)::VARCHAR || lpad((1 + r2 % 12)::VARCHAR, 2, '0') || lpad((1 + r0 % 28)::VARCHAR, 2, '0')
        || lpad((r1 % 1000)::VARCHAR, 3, '0') || '0123456789X'[1 + r2 % 11] AS rid,
      ['张', '王', '李', '赵', '陈', '刘', '杨', '黄', '欧阳'][1 + r0 % 9]
        || ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋'][1 + r1 % 10]
        || CASE WHEN r2 % 2 = 0 THEN ['华', '明', '英', '平', '红'][1 + r2 % 5] ELSE '' END AS nm,
      ['zhang.san', 'li.si', 'wang_wu', 'zhao.liu', 'chen7', 'Liu.Qi', 'yang+news'][1 + r0 % 7] || (r1 % 1000)::VARCHAR
        || '@' || ['gz.gov.cn', '163.com', 'qq.com', 'Example.COM', 'gmail.com'][1 + r2 % 5] AS em,
      ['6222', '6228', '4111', '6217', '6212'][1 + r0 % 5] || lpad((r2 % 1000000000)::VARCHAR, 9, '0')
        || lpad((r1 % 1000000)::VARCHAR, (3 + r0 % 4)::INTEGER, '0') AS cd
    FROM r
  )
  SELECT i,
    CASE WHEN p < 10 THEN ' ' || mob || ' '
      WHEN p < 20 THEN '+86 ' || mob[1:3] || '-' || mob[4:7] || '-' || mob[8:11]
      WHEN p < 30 THEN mob[1:3] || ' ' || mob[4:7] || ' ' || mob[8:11]
      WHEN p < 35 THEN '' ELSE mob END AS m,
    CASE WHEN p < 10 THEN ' ' || rid || ' '
      WHEN p < 110 THEN lower(rid)
      WHEN p < 130 THEN rid[1:6] || rid[9:14] || rid[15:17]
      WHEN p < 135 THEN '' ELSE rid END AS id,
    CASE WHEN p < 20 THEN '\u3000' || nm || ' ' ELSE nm END AS name,
    CASE WHEN p < 10 THEN ' ' || em || ' ' WHEN p < 60 THEN upper(em) ELSE em END AS email,
    CASE WHEN p < 10 THEN ' ' || cd || ' ' WHEN p < 110 THEN regexp_replace(cd, '([0-9]{4})', '\\1 ', 'g') ELSE cd END AS card,
    '贵州省贵阳市' || ['南明区', '云岩区', '花溪区'][1 + r0 % 3] || '中华南路' || (r1 % 300)::VARCHAR || '号' AS addr
  FROM v`;
}

/* ----------------------------------------------------------------------------------------------------
 * The cases and the runner.
 * -------------------------------------------------------------------------------------------------- */

interface Case {
  label: string;
  before: string;
  after: string;
}

const KEY = createHash('sha256').update('bench-sql').digest();
const field = (pii: string, protect?: string): Protection =>
  fieldProtection(fieldSchema.parse({ name: 'c', pii, ...(protect ? { protect } : {}) })) as Protection;
const COLUMN: Record<DetectedPiiKind, string> = {
  cn_mobile: 'm',
  cn_resident_id: 'id',
  email: 'email',
  bank_card: 'card',
};

function cases(): Case[] {
  const list: Case[] = [
    { label: 'sqlTrim(m)', before: legacyTrim('m'), after: sqlTrim('m') },
    { label: 'sqlTrim(name)', before: legacyTrim('name'), after: sqlTrim('name') },
    { label: 'sqlTrim(addr)', before: legacyTrim('addr'), after: sqlTrim('addr') },
  ];
  for (const kind of Object.keys(COLUMN) as DetectedPiiKind[]) {
    const col = COLUMN[kind];
    list.push(
      {
        label: `${kind} sqlNormalize`,
        before: LEGACY[kind].sqlNormalize(col),
        after: DETECTORS[kind].sqlNormalize(col),
      },
      { label: `${kind} sqlMask`, before: LEGACY[kind].sqlMask(col), after: DETECTORS[kind].sqlMask(col) },
    );
  }
  list.push({ label: 'hmacSql(m)', before: legacyHmacSql('m', KEY), after: hmacSql('m', KEY) });
  const protect: [string, 'mask' | 'hash', string][] = [
    ['person_name', 'mask', 'name'],
    ['address', 'mask', 'addr'],
    ['other', 'mask', 'name'],
    ['cn_mobile', 'hash', 'm'],
    ['cn_resident_id', 'hash', 'id'],
    ['email', 'hash', 'email'],
    ['bank_card', 'hash', 'card'],
    ['person_name', 'hash', 'name'],
  ];
  for (const [pii, action, col] of protect) {
    list.push({
      label: `protectSql ${pii} ${action}`,
      before: legacyProtectSql(pii, action, col, KEY),
      after: protectSql(field(pii, action === 'hash' ? 'hash' : undefined), col, KEY) as string,
    });
  }
  return list;
}

interface Timing {
  wall: number;
  cpu: number;
}

async function timeOnce(c: DuckDBConnection, expr: string): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await c.run(`SELECT count(x) FROM (SELECT ${expr} AS x FROM t)`);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

async function check(c: DuckDBConnection, item: Case): Promise<void> {
  const differing = await c.runAndReadAll(
    `SELECT count(*) AS n, any_value(i) AS i FROM t WHERE (${item.before}) IS DISTINCT FROM (${item.after})`,
  );
  const [row] = differing.getRowObjectsJson();
  if (Number(row.n) !== 0) throw new Error(`${item.label}: ${row.n} rows differ (e.g. row ${row.i})`);
  const plan = (await c.runAndReadAll(`EXPLAIN SELECT ${item.after} FROM t`)).getRowsJson().flat().join('\n');
  if (plan.includes('JOIN')) throw new Error(`${item.label}: the plan has a join`);
}

const fmt = (ms: number) => ms.toFixed(0).padStart(7);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      repeat: { type: 'string', default: '3' },
      only: { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  const repeat = Number(values.repeat);
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await instance.connect();
  await c.run(tableSql(rows));
  const selected = cases().filter((k) => !values.only || k.label.includes(values.only));

  const base = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < repeat; r++) {
    const t = await timeOnce(c, 'm');
    base.wall = Math.min(base.wall, t.wall);
    base.cpu = Math.min(base.cpu, t.cpu);
  }
  console.log(
    `${rows} rows, 1 thread, best of ${repeat}; ms per expression (the bare column: ${base.wall.toFixed(0)} ms)`,
  );
  console.log(`${'expression'.padEnd(34)}  wall: before   after  ratio    cpu: before   after  ratio`);
  for (const item of selected) {
    await check(c, item);
    const before = { wall: Infinity, cpu: Infinity };
    const after = { wall: Infinity, cpu: Infinity };
    for (let r = 0; r < repeat; r++) {
      for (const [sql, best] of [
        [item.before, before],
        [item.after, after],
      ] as const) {
        const t = await timeOnce(c, sql);
        best.wall = Math.min(best.wall, t.wall);
        best.cpu = Math.min(best.cpu, t.cpu);
      }
    }
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`.padStart(7);
    console.log(
      `${item.label.padEnd(34)}  ${fmt(before.wall)} ${fmt(after.wall)} ${ratio(after.wall, before.wall)}` +
        `        ${fmt(before.cpu)} ${fmt(after.cpu)} ${ratio(after.cpu, before.cpu)}`,
    );
  }
  c.closeSync();
  instance.closeSync();
}

await main();
