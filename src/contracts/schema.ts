/**
 * The dataset contract and department definitions, as one zod definition from which the TypeScript
 * types, the loader's validation and the editors' JSON Schema are all derived.
 *
 * Field types, constraints and number forms (`groupChar`, `decimalChar`, `bareNumber`) follow Frictionless
 * Table Schema; the lake adds `headers`, `formats`, `normalize`,
 * `pii`, `protect`, `classification`, `mode`, `primaryKey`, `format`, `maxRejectedRatio`, and the keys
 * of office-keys.ts (`scale`, `precision`, `path`, `format.property`, `format.mergedCells`).
 */
import { z } from 'zod';
import { catalogueShape } from './catalogue-schema.ts';
import { ID_PATTERN } from './id-pattern.ts';
import {
  checkOfficeFieldKeys,
  checkOfficeFormatKeys,
  officeFieldKeys,
  officeFormatKeys,
} from './office-keys.ts';

export {
  DEFAULT_DECIMAL_PRECISION,
  DEFAULT_MERGED_CELLS,
  JSON_PATH_PATTERN,
  MAX_DECIMAL_PRECISION,
  MERGED_CELLS,
} from './office-keys.ts';
export { ID_PATTERN };

const id = z
  .string()
  .regex(ID_PATTERN, 'must be a lowercase identifier: a letter, then letters, digits or _ (e.g. health)');

export const FIELD_TYPES = [
  'string',
  'number',
  'integer',
  'boolean',
  'date',
  'datetime',
  'time',
  'year',
] as const;
export const CLASSIFICATIONS = ['public', 'internal', 'restricted'] as const;
/**
 * How personal data is protected. `redact` is for free text that carries personal data now and then:
 * each piece the built-in detectors find inside a value is replaced by its mask, the rest is kept.
 */
export const PROTECT_ACTIONS = ['mask', 'hash', 'drop', 'keep', 'redact'] as const;
/** PII kinds that have a built-in detector (used for flagging undeclared columns). */
export const DETECTED_PII = ['cn_resident_id', 'cn_mobile', 'email', 'bank_card'] as const;
/** PII kinds a contract may declare: the detected ones, kinds without a detector, and `none`. */
export const PII_KINDS = [...DETECTED_PII, 'person_name', 'address', 'other', 'none'] as const;
/** What the lake does with personal data found in a field the contract does not declare as such. */
export const UNDECLARED_PII_POLICIES = ['quarantine', 'mask', 'quarantine-rows'] as const;
export const FORMAT_TYPES = ['csv', 'tsv', 'json', 'jsonl', 'xlsx'] as const;
export const ENCODINGS = ['auto', 'utf-8', 'gb18030', 'gbk', 'utf-16le', 'utf-16be'] as const;
/** Text normalizations a string field may ask for (typed fields are always read with full-width forms folded). */
export const NORMALIZE_FORMS = ['nfkc'] as const;

/** Defaults, kept as named constants so docs and tests can refer to them. */
export const DEFAULT_MAX_REJECTED_RATIO = 0.05;
export const DEFAULT_CLASSIFICATION = 'internal' as const;
export const DEFAULT_MODE = 'replace' as const;
/** Table Schema's default date/datetime/time formats (ISO 8601), as strptime patterns. */
export const DEFAULT_FORMATS = {
  date: ['%Y-%m-%d'],
  datetime: ['%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M:%S'],
  time: ['%H:%M:%S'],
} as const;
/** What joins the cells of several header rows (`format.headerJoin`). */
export const DEFAULT_HEADER_JOIN = ' ';
/** Table Schema's default decimal separator of number fields. */
export const DEFAULT_DECIMAL_CHAR = '.';
/** Table Schema's default boolean spellings. */
export const DEFAULT_TRUE_VALUES = ['true', 'True', 'TRUE', '1'];
export const DEFAULT_FALSE_VALUES = ['false', 'False', 'FALSE', '0'];

/** True for a declared kind of personal data (`none` opts a field out of detection). */
export function isPersonalKind(pii: string | undefined): pii is Exclude<PiiKind, 'none'> {
  return pii !== undefined && pii !== 'none';
}

/** A plain object (a YAML mapping), as opposed to null, an array or a scalar. */
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Cross-key refinements run even when a sibling key already failed (zod skips them by default), so one
 * validation reports every problem of a contract at once. They therefore read their input defensively.
 */
const whenObject = { when: (payload: { value: unknown }) => isRecord(payload.value) };

/** Regular-expression features the engine's matcher (RE2, inside DuckDB) does not have. */
const UNSUPPORTED_REGEX: readonly [RegExp, string][] = [
  [/\(\?<?[=!]/, 'lookahead and lookbehind groups'],
  [/\\[1-9]/, 'backreferences'],
  [/\\k</, 'named backreferences'],
];

/** A `pattern` must compile as a JavaScript regular expression and use only what RE2 supports. */
const regexPattern = z.string().superRefine((p, ctx) => {
  try {
    new RegExp(p);
  } catch (e) {
    const reason =
      e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : '';
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${reason}` });
    return;
  }
  for (const [re, what] of UNSUPPORTED_REGEX) {
    if (re.test(p)) {
      ctx.addIssue({
        code: 'custom',
        message: `uses ${what}, which the lake's pattern matcher (RE2) does not support: rewrite the pattern without them`,
      });
    }
  }
});

export const constraintsSchema = z
  .strictObject({
    required: z.boolean().optional(),
    unique: z.boolean().optional(),
    minimum: z.union([z.number(), z.string()]).optional(),
    maximum: z.union([z.number(), z.string()]).optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().nonnegative().optional(),
    pattern: regexPattern.optional(),
    enum: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional(),
  })
  .describe('Frictionless Table Schema constraints.');

export const fieldSchema = z
  .strictObject({
    name: id.describe('Column name in the published table.'),
    type: z.enum(FIELD_TYPES).default('string'),
    title: z.string().optional(),
    description: z.string().optional(),
    headers: z
      .array(z.string().min(1))
      .optional()
      .describe('Other header spellings accepted in uploaded files.'),
    formats: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('strptime patterns for date, datetime and time fields, tried in order.'),
    trueValues: z.array(z.string()).optional(),
    falseValues: z.array(z.string()).optional(),
    groupChar: z
      .string()
      .length(1)
      .optional()
      .describe(
        'number and integer fields: the thousands separator written between digit groups (e.g. ",").',
      ),
    decimalChar: z
      .string()
      .length(1)
      .optional()
      .describe('number fields: the decimal separator (default ".").'),
    bareNumber: z
      .boolean()
      .optional()
      .describe(
        'number and integer fields: false strips text before and after the number (currency signs, %, 元, spaces); default true.',
      ),
    ...officeFieldKeys,
    normalize: z
      .enum(NORMALIZE_FORMS)
      .optional()
      .describe(
        'string fields: nfkc folds full-width digits, letters and signs to ASCII (typed fields always are), so codes join.',
      ),
    constraints: constraintsSchema.optional(),
    pii: z.enum(PII_KINDS).optional().describe('Kind of personal data; `none` opts out of detection.'),
    protect: z
      .enum(PROTECT_ACTIONS)
      .optional()
      .describe('How PII is protected; default mask when pii is set. redact: the finds inside free text.'),
    classification: z
      .enum(CLASSIFICATIONS)
      .optional()
      .describe("Column-level classification, overrides the table's."),
  })
  .superRefine((f, ctx) => {
    const knownType = (FIELD_TYPES as readonly string[]).includes(f.type);
    if (f.formats && knownType && !['date', 'datetime', 'time'].includes(f.type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['formats'],
        message: `formats applies to date, datetime and time fields; "${f.name}" is ${f.type}`,
      });
    }
    const numeric = f.type === 'number' || f.type === 'integer';
    for (const key of ['groupChar', 'bareNumber'] as const) {
      if (f[key] !== undefined && knownType && !numeric) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} applies to number and integer fields; "${f.name}" is ${f.type}`,
        });
      }
    }
    if (f.decimalChar !== undefined && knownType && f.type !== 'number') {
      ctx.addIssue({
        code: 'custom',
        path: ['decimalChar'],
        message: `decimalChar applies to number fields; "${f.name}" is ${f.type}`,
      });
    }
    if (typeof f.groupChar === 'string' && f.groupChar === (f.decimalChar ?? DEFAULT_DECIMAL_CHAR)) {
      ctx.addIssue({
        code: 'custom',
        path: ['groupChar'],
        message: `groupChar "${f.groupChar}" is also the decimal separator of "${f.name}": use another, or set decimalChar`,
      });
    }
    checkOfficeFieldKeys(f, knownType, (key, message) =>
      ctx.addIssue({ code: 'custom', path: [key], message }),
    );
    if (f.normalize !== undefined && knownType && f.type !== 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['normalize'],
        message: `normalize applies to string fields ("${f.name}" is ${f.type}, whose full-width forms are always folded): remove it`,
      });
    }
    const knownProtect = (PROTECT_ACTIONS as readonly string[]).includes(f.protect ?? '');
    if (f.protect === 'redact' && knownType && f.type !== 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['protect'],
        message: `protect: redact applies to string fields (free text); "${f.name}" is ${f.type}`,
      });
    }
    if (knownProtect && f.protect !== 'keep' && f.protect !== 'redact' && !isPersonalKind(f.pii)) {
      ctx.addIssue({
        code: 'custom',
        path: ['protect'],
        message: `protect: ${f.protect} needs a pii kind on "${f.name}" (e.g. pii: other)`,
      });
    }
  }, whenObject);

export const formatSchema = z
  .strictObject({
    type: z.enum(FORMAT_TYPES).default('csv'),
    encoding: z.enum(ENCODINGS).default('auto'),
    delimiter: z.string().length(1).optional().describe('csv/tsv delimiter; detected when omitted.'),
    sheet: z.string().optional().describe('xlsx sheet name; the first sheet when omitted.'),
    gzip: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    headerRows: z
      .array(z.number().int().positive())
      .min(1)
      .optional()
      .describe(
        'csv/tsv/xlsx: the 1-based rows (lines; sheet rows) of the header, several joined with headerJoin; found below title rows when omitted.',
      ),
    headerJoin: z.string().optional().describe('What joins the cells of several header rows (default " ").'),
    skipRows: z
      .array(regexPattern)
      .optional()
      .describe(
        'csv/tsv/xlsx: rows left out (counted in the report as skipped) whose first non-empty cell matches one of these patterns, e.g. ^合计.',
      ),
    ...officeFormatKeys,
  })
  .superRefine((f, ctx) => {
    checkOfficeFormatKeys(f, (key, message) => ctx.addIssue({ code: 'custom', path: [key], message }));
  }, whenObject);

export const datasetSchema = z
  .strictObject({
    name: id,
    department: id,
    title: z.string().min(1),
    description: z.string().optional(),
    classification: z.enum(CLASSIFICATIONS).default(DEFAULT_CLASSIFICATION),
    mode: z
      .enum(['replace', 'append', 'upsert'])
      .default(DEFAULT_MODE)
      .describe(
        'replace: each upload is the whole dataset; append: each upload adds rows (primaryKey and unique hold across uploads); upsert: each upload adds rows and replaces the published rows of the same primaryKey (latest upload wins).',
      ),
    primaryKey: z.array(z.string()).min(1).optional(),
    format: formatSchema.default({ type: 'csv', encoding: 'auto', gzip: 'auto' }),
    maxRejectedRatio: z.number().min(0).max(1).default(DEFAULT_MAX_REJECTED_RATIO),
    undeclaredPii: z
      .enum(UNDECLARED_PII_POLICIES)
      .default('quarantine')
      .describe(
        'What happens when a field not declared as personal data holds some: quarantine (the file, when the column is personal data by nature; finds here and there are redacted), mask (the column, when it is personal data by nature), quarantine-rows (every row holding any).',
      ),
    fields: z.array(fieldSchema).min(1),
    ...catalogueShape,
  })
  .superRefine((d, ctx) => {
    if (!Array.isArray(d.fields)) return;
    const names = new Set<string>();
    d.fields.forEach((f: unknown, i) => {
      if (!isRecord(f) || typeof f.name !== 'string') return;
      if (names.has(f.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', i, 'name'],
          message: `duplicate field name "${f.name}"`,
        });
      }
      names.add(f.name);
    });
    if (d.mode === 'upsert' && !Array.isArray(d.primaryKey)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message:
          'mode: upsert replaces rows by their primary key: add primaryKey (the fields that identify a row)',
      });
    }
    if (!Array.isArray(d.primaryKey)) return;
    d.primaryKey.forEach((k: unknown, i) => {
      const f = d.fields.find((x: unknown) => isRecord(x) && x.name === k);
      if (
        d.mode === 'upsert' &&
        isRecord(f) &&
        isPersonalKind(f.pii as string) &&
        f.protect !== 'keep' &&
        f.protect !== 'hash'
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['primaryKey', i],
          message: `mode: upsert compares primaryKey "${k}" as published, and a value protected by ${f.protect ?? 'mask'} cannot identify a row: declare the field protect: hash (or keep)`,
        });
      }
      if (typeof k === 'string' && !names.has(k)) {
        ctx.addIssue({
          code: 'custom',
          path: ['primaryKey', i],
          message: `primaryKey "${k}" is not a field; fields are: ${[...names].join(', ')}`,
        });
      }
    });
  }, whenObject);

export const departmentSchema = z.strictObject({
  id,
  name: z.string().min(1),
  uploaders: z.array(z.string().min(1)).default([]).describe('Principals (ARNs) allowed to upload.'),
});

export const departmentsFileSchema = z
  .strictObject({
    departments: z.array(departmentSchema).min(1),
  })
  .superRefine((file, ctx) => {
    if (!Array.isArray(file.departments)) return;
    const seen = new Set<string>();
    file.departments.forEach((d: unknown, i) => {
      if (!isRecord(d) || typeof d.id !== 'string') return;
      if (seen.has(d.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['departments', i, 'id'],
          message: `duplicate department id "${d.id}"`,
        });
      }
      seen.add(d.id);
    });
  }, whenObject);

export type DatasetContract = z.output<typeof datasetSchema>;
export type FieldContract = z.output<typeof fieldSchema>;
export type FieldType = (typeof FIELD_TYPES)[number];
export type PiiKind = (typeof PII_KINDS)[number];
export type DetectedPiiKind = (typeof DETECTED_PII)[number];
export type ProtectAction = (typeof PROTECT_ACTIONS)[number];
export type Department = z.output<typeof departmentSchema>;
