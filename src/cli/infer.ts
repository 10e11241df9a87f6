/**
 * A draft contract from a sample file: the engine reads the file as it would an upload (any encoding and
 * format it supports), then each column's sampled values suggest a field: its name and header spellings,
 * a type (with date formats and boolean spellings), `required`, a pattern for code-like values, an enum for
 * a few repeated values, and personal data found by the lake's detectors with a suggested `protect`.
 * The draft is checked with the contract loader before it is returned; a person reviews it before use.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Document, isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import {
  type DatasetContract,
  datasetSchema,
  type FORMAT_TYPES,
  ID_PATTERN,
  parseContract,
} from '../contracts/index.ts';
import { createSource } from '../engine/source.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { detectPii } from '../privacy/scan.ts';
import { CliError, EXIT } from './errors.ts';

/** Rows sampled per file. */
export const INFER_SAMPLE_ROWS = 5000;
/** A string column with at most this many distinct values (and enough rows) becomes an enum. */
export const ENUM_MAX_VALUES = 12;

type Format = (typeof FORMAT_TYPES)[number];

/** The format a file's name suggests (`.gz` looked through). */
export function formatOfName(name: string): Format | null {
  const parts = name.toLowerCase().split('.');
  if (parts.at(-1) === 'gz') parts.pop();
  const ext = parts.length > 1 ? parts.at(-1) : '';
  switch (ext) {
    case 'csv':
    case 'txt':
      return 'csv';
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'json':
      return 'json';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'xlsx':
      return 'xlsx';
    default:
      return null;
  }
}

/** Common Chinese headers of government exports and the field names they usually become. */
const HEADER_NAMES: Record<string, string> = {
  姓名: 'name',
  名称: 'name',
  身份证号: 'resident_id',
  身份证号码: 'resident_id',
  公民身份号码: 'resident_id',
  手机: 'mobile',
  手机号: 'mobile',
  手机号码: 'mobile',
  联系电话: 'phone',
  电话: 'phone',
  地址: 'address',
  住址: 'home_address',
  家庭住址: 'home_address',
  电子邮箱: 'email',
  邮箱: 'email',
  性别: 'gender',
  出生日期: 'birth_date',
  日期: 'date',
  金额: 'amount',
  备注: 'note',
  级别: 'level',
  年份: 'year',
  区县代码: 'county_code',
  所在区县代码: 'county_code',
  区划代码: 'division_code',
  统计用区划代码: 'division_code',
  上级代码: 'parent_code',
  乡镇街道代码: 'township_code',
  所在乡镇街道代码: 'township_code',
  机构编码: 'org_code',
  机构名称: 'org_name',
  机构类别: 'org_type',
  负责人: 'person_in_charge',
  负责人身份证号: 'person_in_charge_id',
  执业医师数: 'doctors',
  办学性质: 'ownership',
  建校年份: 'founded_year',
  是否寄宿制: 'boarding',
  开业日期: 'opened_on',
  床位数: 'beds',
  学校标识码: 'school_id',
  学校名称: 'school_name',
  学校类型: 'school_type',
  在校生数: 'students',
  专任教师数: 'teachers',
  支付编号: 'payment_id',
  发放金额: 'amount',
  发放日期: 'paid_on',
  所属期: 'period',
  救助类别: 'program',
};

const PERSON_NAME_HEADER =
  /^(姓名|负责人|联系人|法定代表人|户主|申请人|收款人|full_?name|person_?name|contact_?(person|name)?)$/i;
const HOME_ADDRESS_HEADER = /^(住址|家庭住址|户籍地址|居住地址|现住址|home_?address)$/i;
const ID_HEADER = /(^id$|_id$|_code$|^code$|编码|编号|代码|标识码|号码)/i;
const YEAR_HEADER = /(年份|年度|year)/i;

const DATE_FORMATS: [string, RegExp][] = [
  ['%Y-%m-%d', /^(\d{4})-(\d{1,2})-(\d{1,2})$/],
  ['%Y/%m/%d', /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/],
  ['%Y年%m月%d日', /^(\d{4})年(\d{1,2})月(\d{1,2})日$/],
  ['%Y.%m.%d', /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/],
];
const DATETIME_FORMATS: [string, RegExp][] = [
  ['%Y-%m-%d %H:%M:%S', /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}$/],
  ['%Y-%m-%dT%H:%M:%S', /^\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{2}:\d{2}$/],
  ['%Y-%m-%dT%H:%M:%SZ', /^\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{2}:\d{2}Z$/],
  ['%Y/%m/%d %H:%M:%S', /^\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}:\d{2}$/],
  ['%Y-%m-%d %H:%M', /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}$/],
  ['%Y/%m/%d %H:%M', /^\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}$/],
];
const TIME_FORMATS: [string, RegExp][] = [
  ['%H:%M:%S', /^\d{1,2}:\d{2}:\d{2}$/],
  ['%H:%M', /^\d{1,2}:\d{2}$/],
];
const BOOLEAN_PAIRS: [string[], string[]][] = [
  [
    ['true', 'True', 'TRUE'],
    ['false', 'False', 'FALSE'],
  ],
  [['是'], ['否']],
  [
    ['Y', 'y', 'yes', 'Yes', 'YES'],
    ['N', 'n', 'no', 'No', 'NO'],
  ],
  [['有'], ['无']],
];
const DEFAULT_TRUE = ['true', 'True', 'TRUE', '1'];
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export interface InferredField {
  header: string;
  field: Record<string, unknown>;
  /** Why the field looks as it does, for the person reviewing the draft. */
  notes: string[];
}

export interface InferResult {
  contract: DatasetContract;
  yaml: string;
  fields: InferredField[];
  rowsSampled: number;
  encoding: string | null;
  format: Format;
}

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
  );
}

/** The formats (in list order) that together read every value, or null when some value fits none. */
function formatsFor(values: readonly string[], formats: [string, RegExp][], isDate = false): string[] | null {
  const used = new Set<string>();
  for (const v of values) {
    const hit = formats.find(([, re]) => {
      const m = re.exec(v);
      return m !== null && (!isDate || validDate(m[1], m[2], m[3]));
    });
    if (!hit) return null;
    used.add(hit[0]);
  }
  return formats.map(([f]) => f).filter((f) => used.has(f));
}

function fieldName(header: string, index: number, taken: Set<string>): string {
  const direct = header
    .normalize('NFKC')
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  let name = ID_PATTERN.test(direct)
    ? direct
    : (HEADER_NAMES[header.normalize('NFKC').trim()] ?? `column_${index + 1}`);
  const base = name;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

/** `^GZ[0-9]{9}$` for values that are one fixed prefix of capitals then a fixed number of digits. */
function codePattern(values: readonly string[]): string | null {
  if (values.length < 2) return null;
  const m0 = /^([A-Z]*)([0-9]+)$/.exec(values[0]);
  if (!m0) return null;
  const [, prefix, digits] = m0;
  if (digits.length < 3) return null;
  for (const v of values) {
    const m = /^([A-Z]*)([0-9]+)$/.exec(v);
    if (!m || m[1] !== prefix || m[2].length !== digits.length) return null;
  }
  return `^${prefix}[0-9]{${digits.length}}$`;
}

/** One field from a column's header and sampled values. */
export function inferField(
  header: string,
  raw: readonly (string | null)[],
  index: number,
  taken: Set<string>,
): InferredField {
  const name = fieldName(header, index, taken);
  const values = raw.map((v) => (v ?? '').trim());
  const present = values.filter((v) => v !== '');
  const notes: string[] = [];
  const field: Record<string, unknown> = { name };
  if (header !== name) field.headers = [header];
  const constraints: Record<string, unknown> = {};
  if (values.length > 0 && present.length === values.length) constraints.required = true;
  const distinct = new Set(present);

  let type = 'string';
  if (present.length > 0) {
    if (present.every((v) => INTEGER.test(v))) {
      // Leading zeros, eleven digits or more (phone and ID numbers), or a header naming a code: not a quantity.
      const code =
        present.some((v) => /^[+-]?0\d/.test(v) || v.replace(/^[+-]/, '').length >= 11) ||
        ID_HEADER.test(header);
      if (code) notes.push('digits kept as text: an identifier or code, not a quantity');
      else if (YEAR_HEADER.test(header) && present.every((v) => Number(v) >= 1800 && Number(v) <= 2200))
        type = 'year';
      else type = 'integer';
    } else if (present.every((v) => NUMBER.test(v))) {
      type = 'number';
    } else {
      const bool = BOOLEAN_PAIRS.find(([t, f]) => present.every((v) => t.includes(v) || f.includes(v)));
      const dates = formatsFor(present, DATE_FORMATS, true);
      const datetimes = dates ? null : formatsFor(present, DATETIME_FORMATS);
      const times = dates || datetimes ? null : formatsFor(present, TIME_FORMATS);
      if (bool && distinct.size <= 2) {
        type = 'boolean';
        const [t, f] = bool;
        if (t[0] !== DEFAULT_TRUE[0]) {
          field.trueValues = t.filter((v) => distinct.has(v));
          field.falseValues = f.filter((v) => distinct.has(v));
        }
      } else if (dates) {
        type = 'date';
        if (dates.join() !== '%Y-%m-%d') field.formats = dates;
      } else if (datetimes) {
        type = 'datetime';
        field.formats = datetimes;
      } else if (times) {
        type = 'time';
        if (times.join() !== '%H:%M:%S') field.formats = times;
      }
    }
  }
  field.type = type;

  if ((type === 'integer' || type === 'number') && present.every((v) => Number(v) >= 0))
    constraints.minimum = 0;
  if (type === 'string' && present.length > 0) {
    const pattern = codePattern(present);
    if (pattern) constraints.pattern = pattern;
    else if (
      distinct.size <= ENUM_MAX_VALUES &&
      present.length >= 20 &&
      distinct.size * 4 <= present.length
    ) {
      constraints.enum = [...distinct].sort();
      notes.push(
        `only ${distinct.size} distinct values in ${present.length} rows: check the enum is complete`,
      );
    }
  }

  const pii = detectPii(present);
  if (pii && type !== 'string') {
    // Personal data is published as text (masked or hashed), whatever it looks like.
    type = 'string';
    field.type = type;
    delete constraints.minimum;
  }
  if (pii) {
    field.pii = pii.kind;
    field.protect = pii.kind === 'cn_resident_id' ? 'hash' : 'mask';
    notes.push(
      `looks like ${pii.kind} (${Math.round(pii.ratio * 100)}% of ${pii.sampled} values): ${field.protect === 'hash' ? 'hashed, so it still joins across datasets' : 'masked'}; drop it if no one needs it`,
    );
  } else if (PERSON_NAME_HEADER.test(header.trim()) || HOME_ADDRESS_HEADER.test(header.trim())) {
    field.pii = PERSON_NAME_HEADER.test(header.trim()) ? 'person_name' : 'address';
    field.protect = 'mask';
    notes.push(`the header "${header}" names personal data: masked`);
  }
  if (field.pii && field.protect !== 'hash') field.classification = 'restricted';
  if (Object.keys(constraints).length > 0) field.constraints = constraints;
  // Keys in the order contracts are usually written.
  const order = [
    'name',
    'type',
    'headers',
    'formats',
    'trueValues',
    'falseValues',
    'pii',
    'protect',
    'classification',
    'constraints',
  ];
  const ordered = Object.fromEntries(order.filter((k) => k in field).map((k) => [k, field[k]]));
  return { header, field: ordered, notes };
}

/** The primary key a draft suggests: the first required, unique, code-like column. */
function primaryKeyOf(
  fields: readonly InferredField[],
  rows: readonly (readonly (string | null)[])[],
): string | null {
  for (const [i, f] of fields.entries()) {
    const c = f.field.constraints as Record<string, unknown> | undefined;
    if (!c?.required || f.field.pii) continue;
    if (!(c.pattern || ID_HEADER.test(f.header))) continue;
    const values = rows.map((r) => r[i]);
    if (new Set(values).size === values.length) return String(f.field.name);
  }
  return null;
}

export async function inferContract(
  inputPath: string,
  ref: DatasetRef,
  sampleRows = INFER_SAMPLE_ROWS,
): Promise<InferResult> {
  const format = formatOfName(basename(inputPath));
  if (!format) {
    throw new CliError(`cannot tell the format of ${basename(inputPath)} from its name`, {
      hint: `Name the file with one of the extensions .csv .tsv .json .jsonl .xlsx (optionally .gz).`,
      exitCode: EXIT.usage,
      code: 'unknown_format',
    });
  }
  const work = await mkdtemp(join(tmpdir(), 'lake-infer-'));
  const db = await DuckDBInstance.create(':memory:', { threads: '1', temp_directory: join(work, 'spill') });
  const conn = await db.connect();
  try {
    const probe = datasetSchema.parse({
      name: ref.dataset,
      department: ref.department,
      title: 'probe',
      format: { type: format },
      fields: [{ name: 'probe' }],
    });
    let source: Awaited<ReturnType<typeof createSource>>;
    try {
      source = await createSource(conn, { inputPath, contract: probe, workDir: work });
    } catch (e) {
      throw new CliError(`cannot read ${basename(inputPath)} as ${format}: ${(e as Error).message}`, {
        hint: 'Check that the file is complete and its extension says its format.',
        code: 'unreadable_file',
        cause: e,
      });
    }
    const cols = source.columns.map((_, i) => `"s${i}"`).join(', ');
    const result = cols
      ? await conn.runAndReadAll(
          `SELECT ${cols} FROM src WHERE __row_rule IS NULL ORDER BY __rn LIMIT ${sampleRows}`,
        )
      : null;
    const rows = (result?.getRows() ?? []).map((r) => r.map((v) => (v === null ? null : String(v))));
    const taken = new Set<string>();
    const fields = source.columns.map((h, i) =>
      inferField(
        h,
        rows.map((r) => r[i]),
        i,
        taken,
      ),
    );
    const pk = primaryKeyOf(fields, rows);
    const formatSpec: Record<string, unknown> = { type: format };
    if (format !== 'xlsx')
      formatSpec.encoding = source.encoding && source.encoding !== 'utf-8' ? source.encoding : 'auto';
    const draft: Record<string, unknown> = {
      name: ref.dataset,
      department: ref.department,
      title: `${ref.dataset.replace(/_/g, ' ')} (drafted from ${basename(inputPath)})`,
      description: 'What the dataset holds, who maintains it, how often it is uploaded.',
      classification: fields.some((f) => f.field.pii) ? 'internal' : 'public',
      mode: 'replace',
      ...(pk ? { primaryKey: [pk] } : {}),
      format: formatSpec,
      fields: fields.map((f) => f.field),
    };
    const yaml = toYaml(draft, fields, basename(inputPath), rows.length);
    const contract = parseContract(yaml, `datasets/${ref.department}/${ref.dataset}.yaml`);
    return { contract, yaml, fields, rowsSampled: rows.length, encoding: source.encoding, format };
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}

function toYaml(
  draft: Record<string, unknown>,
  fields: readonly InferredField[],
  file: string,
  sampled: number,
): string {
  const doc = new Document(draft);
  doc.commentBefore = [
    ` Draft contract inferred from ${file} (${sampled} rows sampled) by \`lake contract infer\`.`,
    ' Review every field: names, types, constraints, and above all the personal data and its protection.',
  ].join('\n');
  const root = doc.contents as YAMLMap;
  const flow = (node: unknown) => {
    if (isMap(node) || isSeq(node)) (node as YAMLMap | YAMLSeq).flow = true;
  };
  flow(root.get('format', true));
  flow(root.get('primaryKey', true));
  const items = (root.get('fields', true) as unknown as YAMLSeq).items;
  items.forEach((item, i) => {
    const map = item as YAMLMap;
    for (const k of ['headers', 'formats', 'trueValues', 'falseValues', 'constraints'])
      flow(map.get(k, true));
    const constraints = map.get('constraints', true);
    if (isMap(constraints)) flow(constraints.get('enum', true));
    if (fields[i].notes.length > 0) map.commentBefore = fields[i].notes.map((n) => ` ${n}`).join('\n');
  });
  const description = root.items.find((p) => (p.key as { value?: unknown })?.value === 'description');
  if (description)
    (description.key as { commentBefore?: string }).commentBefore =
      ' TODO: describe the dataset, then check the classification and mode';
  return doc.toString({ lineWidth: 110, flowCollectionPadding: false });
}
