/**
 * From a contract's fields to DuckDB SQL: the typed value of each field, one boolean per failed rule,
 * the row's error list (for quarantine) and the protected published value.
 */
import {
  type DatasetContract,
  DEFAULT_FALSE_VALUES,
  DEFAULT_FORMATS,
  DEFAULT_TRUE_VALUES,
  type FieldContract,
  type FieldType,
  type ProtectAction,
} from '../contracts/schema.ts';
import { protectAction, protectSql } from '../privacy/protect.ts';
import { EngineError } from './errors.ts';
import { ident, lit, litList } from './sql.ts';

/** The DuckDB type a field is checked as (the published type too, but for time, published as text). */
export const SQL_TYPES: Record<FieldType, string> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  date: 'DATE',
  datetime: 'TIMESTAMP',
  time: 'TIME',
  year: 'INTEGER',
};

/** How one contract field is read, checked and published. */
export interface FieldPlan {
  field: FieldContract;
  index: number;
  /** The source column's SQL identifier in the `src` relation, or null when the file lacks it. */
  source: string | null;
  /** The header spelling found in the file. */
  header: string | null;
  required: boolean;
  /** The field as protected: declared PII, or an undeclared column masked by policy. */
  protectedAs: FieldContract | null;
  action: ProtectAction | null;
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
export const flagName = (i: number) => ident(`f${i}`);

/** The value shown in a message: quoted and shortened, or withheld for personal data. */
function shown(p: FieldPlan): string {
  if (p.protectedAs) return `'the value'`;
  return `'"' || CASE WHEN length(${v(p)}) > 60 THEN left(${v(p)}, 57) || '...' ELSE ${v(p)} END || '"'`;
}

function formatsOf(f: FieldContract): string[] {
  if (f.formats) return f.formats;
  if (f.type === 'date' || f.type === 'datetime' || f.type === 'time') return [...DEFAULT_FORMATS[f.type]];
  return [];
}

/** A decimal number with optional exponent, or NaN / INF / -INF (any case; Infinity too), as RE2. */
const NUMBER_PATTERN = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?(?i:inf|infinity|nan)';

/** The typed value of a field from its VARCHAR value `x` (NULL when it does not parse). */
export function typedSql(f: FieldContract, x: string): string {
  switch (f.type) {
    case 'string':
      return x;
    case 'integer':
      return `CASE WHEN regexp_full_match(trim(${x}), '[+-]?[0-9]+') THEN TRY_CAST(trim(${x}) AS BIGINT) END`;
    case 'number':
      // The lexical form is checked first: DuckDB's cast alone also reads digit separators ('1_000').
      return `CASE WHEN regexp_full_match(trim(${x}), ${lit(NUMBER_PATTERN)}) THEN TRY_CAST(trim(${x}) AS DOUBLE) END`;
    case 'year':
      return `CASE WHEN regexp_full_match(trim(${x}), '-?[0-9]{4}') THEN CAST(trim(${x}) AS INTEGER) END`;
    case 'boolean': {
      const tv = litList(f.trueValues ?? DEFAULT_TRUE_VALUES);
      const fv = litList(f.falseValues ?? DEFAULT_FALSE_VALUES);
      return `CASE WHEN list_contains(${tv}, trim(${x})) THEN true WHEN list_contains(${fv}, trim(${x})) THEN false END`;
    }
    case 'date':
      return `CAST(try_strptime(trim(${x}), ${litList(formatsOf(f))}) AS DATE)`;
    case 'datetime':
      return `try_strptime(trim(${x}), ${litList(formatsOf(f))})`;
    case 'time':
      return `CAST(try_strptime(trim(${x}), ${litList(formatsOf(f))}) AS TIME)`;
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
      const tp = SQL_TYPES[f.type];
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
  return `[${values.map((x) => `CAST(${lit(String(x))} AS ${SQL_TYPES[f.type]})`).join(', ')}]`;
}

export function planFields(
  contract: DatasetContract,
  mapping: Map<string, { source: string; header: string } | null>,
  maskedUndeclared: Map<string, FieldContract['pii']>,
): FieldPlan[] {
  const pk = new Set(contract.primaryKey ?? []);
  return contract.fields.map((field, index) => {
    const m = mapping.get(field.name) ?? null;
    let protectedAs: FieldContract | null = null;
    if (field.pii && field.pii !== 'none') protectedAs = field;
    const flagged = maskedUndeclared.get(field.name);
    if (!protectedAs && flagged) protectedAs = { ...field, pii: flagged, protect: 'mask' };
    return {
      field,
      index,
      source: m?.source ?? null,
      header: m?.header ?? null,
      required: field.constraints?.required === true || pk.has(field.name),
      protectedAs,
      action: protectedAs ? protectAction(protectedAs) : null,
    };
  });
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
    if (f.type !== 'string') {
      const formats = formatsOf(f);
      const hint = formats.length ? ` (formats: ${formats.join(', ')})` : '';
      add(
        'type',
        `${v(p)} IS NOT NULL AND ${t(p)} IS NULL`,
        `${shown(p)} || ${lit(` is not a valid ${f.type}${hint}`)}`,
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
      add(
        'pattern',
        `NOT regexp_full_match(${v(p)}, ${lit(c.pattern)})`,
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

/** The published value of a field (typed, or protected as VARCHAR); null when the field is dropped. */
export function publishedSql(p: FieldPlan, hashKey: Buffer): string | null {
  if (!p.protectedAs || p.action === 'keep') {
    // Athena cannot read Parquet TIME: a time is published as its 'HH:MM:SS' text (a Glue string).
    return p.field.type === 'time' ? `CAST(${t(p)} AS VARCHAR)` : t(p);
  }
  return protectSql(p.protectedAs, v(p), hashKey);
}

/** The quarantined value of a field: its text as uploaded, protected as it would be when published. */
export function quarantinedSql(p: FieldPlan, hashKey: Buffer): string | null {
  if (!p.protectedAs || p.action === 'keep') return v(p);
  return protectSql(p.protectedAs, v(p), hashKey);
}

export function typedRef(p: FieldPlan): string {
  return t(p);
}

export function valueRef(p: FieldPlan): string {
  return v(p);
}
