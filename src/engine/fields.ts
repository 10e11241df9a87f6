/**
 * From a contract's fields to DuckDB SQL: the typed value of each field, one boolean per failed rule,
 * the row's error list (for quarantine) and the protected published value.
 */
import type { Protection } from '../contracts/protection.ts';
import {
  DEFAULT_DECIMAL_PRECISION,
  DEFAULT_FALSE_VALUES,
  DEFAULT_FORMATS,
  DEFAULT_TRUE_VALUES,
  type FieldContract,
  type PiiKind,
} from '../contracts/schema.ts';
import { COLUMN_TYPES, fieldColumnType } from '../lake/column-types.ts';
import type { DatasetModel, PublishedColumn } from '../lake/dataset-model.ts';
import { sqlFirstKind, sqlRedact, sqlSearchText } from '../privacy/find.ts';
import { protectSql } from '../privacy/protect.ts';
import { DAY_NUMBER_MACRO } from './day-number.ts';
import { EngineError } from './errors.ts';
import { foldedSql, numberHintSql, numberTextSql } from './number-text.ts';
import { ident, lit, litList } from './sql.ts';
import type { FindHandling, UndeclaredScan } from './undeclared-pii.ts';

/** How one contract field is read, checked and published. */
export interface FieldPlan {
  field: FieldContract;
  index: number;
  /** The source column's SQL identifier in the `src` relation, or null when the file lacks it. */
  source: string | null;
  /** The header spelling found in the file. */
  header: string | null;
  required: boolean;
  /**
   * How the field's values are protected wherever they are written: the dataset model's (declared personal
   * data), or masking for an undeclared column the scan flagged; null when neither.
   */
  protection: Protection | null;
  /** The field's published column (the dataset model's), or null when it is dropped. */
  column: PublishedColumn | null;
  /** What the personal data found in the field's values gets (fields not declared personal). */
  finds: FindHandling | null;
}

export interface Rule {
  field: FieldPlan;
  rule: string;
  /** SQL boolean, true when the row breaks the rule (never NULL). */
  failed: string;
  /** SQL VARCHAR message for a failing row. */
  message: string;
}

const v = (p: FieldPlan) => ident(`v${p.index}`);
const t = (p: FieldPlan) => ident(`t${p.index}`);

/** What a type message adds for a date written as a spreadsheet's day number outside a workbook. */
const DAY_NUMBER_HINT =
  ': this looks like an Excel day number; format the column as dates in the spreadsheet before saving it as CSV, or upload the xlsx';

/** Longest value a message quotes. */
export const MAX_QUOTED = 60;

/**
 * The value shown in a message: quoted when it is short and nothing personal is found in it; otherwise
 * described by its length (and the kind of personal data found), never repeated.
 */
function shown(p: FieldPlan): string {
  if (p.protection) return `'the value'`;
  const kind = sqlFirstKind(v(p));
  return (
    `CASE WHEN (${kind}) IS NOT NULL THEN 'a value holding personal data (' || (${kind}) || ', ' || length(${v(p)}) || ' characters)' ` +
    `WHEN length(${v(p)}) > ${MAX_QUOTED} THEN 'a value of ' || length(${v(p)}) || ' characters' ` +
    `ELSE '"' || ${v(p)} || '"' END`
  );
}

function formatsOf(f: FieldContract): string[] {
  if (f.formats) return f.formats;
  if (f.type === 'date' || f.type === 'datetime' || f.type === 'time') return [...DEFAULT_FORMATS[f.type]];
  return [];
}

/** A decimal number with optional exponent, or NaN / INF / -INF (any case; Infinity too), as RE2. */
const NUMBER_PATTERN = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?(?i:inf|infinity|nan)';

/** A plain decimal, the only form an exact decimal (`scale`) field reads: no exponent, NaN or infinity. */
const DECIMAL_PATTERN = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)';

/** SQL: the number of decimals a number field's value has, trailing zeros not counted (12.50 has 1). */
function decimalsSql(f: FieldContract, x: string): string {
  return `length(rtrim(regexp_extract(${numberTextSql(f, x)}, '[.]([0-9]*)$', 1), '0'))`;
}

/** What a type message adds for an exact decimal field: how many digits it holds. */
function decimalHint(f: FieldContract): string {
  if (f.type !== 'number' || f.scale === undefined) return '';
  const precision = f.precision ?? DEFAULT_DECIMAL_PRECISION;
  return ` (an exact decimal: plain digits, at most ${precision - f.scale} before the point)`;
}

/**
 * The typed value of a field from its VARCHAR value `x` (NULL when it does not parse). Typed fields read
 * the value with full-width forms folded and spaces trimmed (and numbers in the field's number forms);
 * a string field keeps the text as uploaded, folded only when it asks for `normalize: nfkc`.
 */
export function typedSql(f: FieldContract, x: string): string {
  const s = foldedSql(x);
  switch (f.type) {
    case 'string':
      return f.normalize === 'nfkc' ? sqlSearchText(x) : x;
    case 'integer': {
      const n = numberTextSql(f, x);
      return `CASE WHEN regexp_full_match(${n}, '[+-]?[0-9]+') THEN TRY_CAST(${n} AS BIGINT) END`;
    }
    case 'number': {
      // The lexical form is checked first: DuckDB's cast alone also reads digit separators ('1_000').
      const n = numberTextSql(f, x);
      // An exact decimal reads plain decimals only; the scale rule rejects what the cast would round.
      if (f.scale !== undefined) {
        return `CASE WHEN regexp_full_match(${n}, ${lit(DECIMAL_PATTERN)}) THEN TRY_CAST(${n} AS ${fieldColumnType(f).checked}) END`;
      }
      return `CASE WHEN regexp_full_match(${n}, ${lit(NUMBER_PATTERN)}) THEN TRY_CAST(${n} AS DOUBLE) END`;
    }
    case 'year':
      return `CASE WHEN regexp_full_match(${s}, '-?[0-9]{4}') THEN CAST(${s} AS INTEGER) END`;
    case 'boolean': {
      const tv = litList(f.trueValues ?? DEFAULT_TRUE_VALUES);
      const fv = litList(f.falseValues ?? DEFAULT_FALSE_VALUES);
      return `CASE WHEN list_contains(${tv}, ${s}) THEN true WHEN list_contains(${fv}, ${s}) THEN false END`;
    }
    case 'date':
      // A whole day number (an xlsx upload's date cell without a date format) is a date too.
      return `CAST(coalesce(try_strptime(${s}, ${litList(formatsOf(f))}), CASE WHEN regexp_full_match(${s}, '[0-9]+') THEN ${DAY_NUMBER_MACRO}(${s}) END) AS DATE)`;
    case 'datetime':
      return `coalesce(try_strptime(${s}, ${litList(formatsOf(f))}), ${DAY_NUMBER_MACRO}(${s}))`;
    case 'time':
      return `CAST(try_strptime(${s}, ${litList(formatsOf(f))}) AS TIME)`;
  }
}

/** A typed SQL literal of a constraint bound, checked against the field type. */
function boundLiteral(f: FieldContract, key: string, value: unknown, file: string): string {
  const where = `${file}: fields.${f.name}.constraints.${key}`;
  switch (f.type) {
    case 'integer':
    case 'number':
    case 'year': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(n)) throw new EngineError(`${where}: ${JSON.stringify(value)} is not a number`);
      return String(n);
    }
    case 'date':
    case 'datetime':
    case 'time': {
      const tp = COLUMN_TYPES[f.type].checked;
      if (typeof value !== 'string')
        throw new EngineError(`${where}: write the bound as an ISO ${f.type} string`);
      return `CAST(${lit(value)} AS ${tp})`;
    }
    case 'string':
      return lit(String(value));
    case 'boolean':
      throw new EngineError(`${where}: ${key} does not apply to boolean fields`);
  }
}

function enumLiteral(f: FieldContract, values: readonly (string | number | boolean)[]): string {
  if (f.type === 'string') return litList(values.map(String));
  if (f.type === 'boolean')
    return `[${values.map((x) => (x === true || x === 'true' ? 'true' : 'false')).join(', ')}]`;
  if (f.type === 'integer' || f.type === 'number' || f.type === 'year') {
    return `[${values.map((x) => String(Number(x))).join(', ')}]`;
  }
  return `[${values.map((x) => `CAST(${lit(String(x))} AS ${COLUMN_TYPES[f.type].checked})`).join(', ')}]`;
}

/**
 * One plan per field of the dataset model, in contract order. `maskedUndeclared` holds the fields the
 * personal-data scan flagged and the contract's policy masks (string fields, so their type is unchanged).
 */
export function planFields(
  model: DatasetModel,
  mapping: Map<string, { source: string; header: string } | null>,
  scan: Pick<UndeclaredScan, 'masked' | 'handling'>,
): FieldPlan[] {
  const pk = new Set(model.contract.primaryKey ?? []);
  return model.fields.map(({ field, protection, column }, index) => {
    const m = mapping.get(field.name) ?? null;
    const flagged: Exclude<PiiKind, 'none'> | undefined = scan.masked.get(field.name);
    return {
      field,
      index,
      source: m?.source ?? null,
      header: m?.header ?? null,
      required: field.constraints?.required === true || pk.has(field.name),
      protection: protection ?? (flagged ? { pii: flagged, action: 'mask' } : null),
      column,
      finds: scan.handling.get(field.name) ?? null,
    };
  });
}

/** True when the field's values are written as they are (typed), not rewritten by its protection. */
function inClear(p: FieldPlan): boolean {
  return !p.protection || p.protection.action === 'keep';
}

/** The first projection: each field's VARCHAR value (empty means missing) and its typed value. */
export function valueColumns(plans: FieldPlan[]): string[] {
  const cols: string[] = [];
  for (const p of plans) {
    const raw = p.source ? `nullif(${p.source}, '')` : 'CAST(NULL AS VARCHAR)';
    cols.push(`${raw} AS ${v(p)}`);
  }
  return cols;
}

export function typedColumns(plans: FieldPlan[]): string[] {
  return plans.map((p) => `${typedSql(p.field, v(p))} AS ${t(p)}`);
}

/** Every rule of every field (unique and primaryKey are added by the caller from duplicate tables). */
export function fieldRules(plans: FieldPlan[], file: string): Rule[] {
  const rules: Rule[] = [];
  for (const p of plans) {
    const f = p.field;
    const c = f.constraints ?? {};
    const add = (rule: string, failed: string, message: string) =>
      rules.push({ field: p, rule, failed: `coalesce(${failed}, false)`, message });
    if (p.required) add('required', `${v(p)} IS NULL`, `'a value is required'`);
    if (p.finds === 'quarantine-rows') {
      const kind = sqlFirstKind(v(p));
      // Only a value that would be published: one that fails its type is rejected for that already.
      add(
        'personal_data',
        `${t(p)} IS NOT NULL AND (${kind}) IS NOT NULL`,
        `'a value holding personal data (' || (${kind}) || ', ' || length(${v(p)}) || ' characters) in a field the contract does not declare as personal data: declare the field with pii and protect, or remove the personal data'`,
      );
    }
    if (f.type !== 'string') {
      const formats = formatsOf(f);
      const hint = formats.length ? ` (formats: ${formats.join(', ')})` : '';
      const dayNumber =
        f.type === 'date' || f.type === 'datetime'
          ? ` || CASE WHEN regexp_full_match(${foldedSql(v(p))}, '[0-9]{5}([.][0-9]+)?') THEN ${lit(DAY_NUMBER_HINT)} ELSE '' END`
          : '';
      // A value holding personal data gets no advice to read it as a number.
      const numberHint =
        (f.type === 'number' || f.type === 'integer') && !p.protection
          ? ` || CASE WHEN (${sqlFirstKind(v(p))}) IS NULL THEN ${numberHintSql(f, v(p))} ELSE '' END`
          : '';
      add(
        'type',
        `${v(p)} IS NOT NULL AND ${t(p)} IS NULL`,
        `${shown(p)} || ${lit(` is not a valid ${f.type}${hint}${decimalHint(f)}`)}${numberHint}${dayNumber}`,
      );
    }
    if (f.type === 'number' && f.scale !== undefined) {
      // Money is never rounded: a value the exact decimal cannot hold as written is rejected.
      add(
        'scale',
        `${t(p)} IS NOT NULL AND ${decimalsSql(f, v(p))} > ${f.scale}`,
        `${shown(p)} || ${lit(` has more than ${f.scale} decimals (the field's scale); values are not rounded: correct the value, or raise the field's scale in the contract`)}`,
      );
    }
    if (c.minimum !== undefined && f.type !== 'string') {
      const b = boundLiteral(f, 'minimum', c.minimum, file);
      add('minimum', `${t(p)} < ${b}`, `${shown(p)} || ${lit(` is below the minimum ${c.minimum}`)}`);
    }
    if (c.maximum !== undefined && f.type !== 'string') {
      const b = boundLiteral(f, 'maximum', c.maximum, file);
      add('maximum', `${t(p)} > ${b}`, `${shown(p)} || ${lit(` is above the maximum ${c.maximum}`)}`);
    }
    if (c.minLength !== undefined) {
      add(
        'minLength',
        `length(${v(p)}) < ${c.minLength}`,
        `'has ' || length(${v(p)}) || ${lit(` characters, fewer than the minimum ${c.minLength}`)}`,
      );
    }
    if (c.maxLength !== undefined) {
      add(
        'maxLength',
        `length(${v(p)}) > ${c.maxLength}`,
        `'has ' || length(${v(p)}) || ${lit(` characters, more than the maximum ${c.maxLength}`)}`,
      );
    }
    if (c.pattern !== undefined) {
      // A string field is matched as published (folded when it asks for normalize); others as uploaded.
      const matched = f.type === 'string' ? t(p) : v(p);
      add(
        'pattern',
        `NOT regexp_full_match(${matched}, ${lit(c.pattern)})`,
        `${shown(p)} || ${lit(` does not match the pattern ${c.pattern}`)}`,
      );
    }
    if (c.enum !== undefined) {
      const shownList = c.enum.map(String).join(', ');
      add(
        'enum',
        `${t(p)} IS NOT NULL AND NOT list_contains(${enumLiteral(f, c.enum)}, ${t(p)})`,
        `${shown(p)} || ${lit(` is not one of: ${shownList}`)}`,
      );
    }
  }
  return rules;
}

/**
 * The published value of a field, of its column's type (typed, or protected as VARCHAR); null when the
 * field is dropped. A type published differently from how it is checked (a time, as text) is cast.
 */
export function publishedSql(p: FieldPlan, hashKey: Buffer): string | null {
  if (!p.column) return null;
  if (!inClear(p)) return protectSql(p.protection as Protection, v(p), hashKey);
  if (p.finds === 'redact') return sqlRedact(t(p));
  const published = p.column.type.duckdb;
  return published === fieldColumnType(p.field).checked ? t(p) : `CAST(${t(p)} AS ${published})`;
}

/** The quarantined value of a field: its text as uploaded, protected as it would be when published. */
export function quarantinedSql(p: FieldPlan, hashKey: Buffer): string | null {
  if (inClear(p)) return v(p);
  return protectSql(p.protection as Protection, v(p), hashKey);
}

/** True when the field's published values keep equality with its typed values (in clear, or hashed). */
export function keyPublished(p: FieldPlan): boolean {
  if (p.finds === 'redact') return false;
  return inClear(p) || p.protection?.action === 'hash';
}

export function typedRef(p: FieldPlan): string {
  return t(p);
}

/** The field's VARCHAR value in the checked relation (NULL when empty). */
export function valueRef(p: FieldPlan): string {
  return v(p);
}
