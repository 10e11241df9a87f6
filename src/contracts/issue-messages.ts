/**
 * Validation messages in the contract author's terms (YAML lists and mappings, not JS arrays and objects),
 * and the wording of an unknown key with the key that was probably meant.
 */
import type { z } from 'zod';
import { isRecord, type YamlPath } from './yaml-positions.ts';

function describeValue(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (isRecord(v)) return 'a mapping';
  if (typeof v === 'string') return `"${v}"`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};
const typeWord = (t: string): string => TYPE_WORDS[t] ?? t;
const plural = (n: number | bigint, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A zod error map giving messages in the contract author's terms. */
export const errorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `expected ${typeWord(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return `must be one of ${allowed}; got ${describeValue(issue.input)}`;
    }
    case 'invalid_union': {
      const options = issue.errors.flatMap((alternative) =>
        alternative.flatMap((i) =>
          i.code === 'invalid_type'
            ? [typeWord(i.expected)]
            : i.code === 'invalid_value'
              ? i.values.map((v) => JSON.stringify(v))
              : [],
        ),
      );
      if (options.length === 0) return undefined;
      return `expected ${[...new Set(options)].join(' or ')}, got ${describeValue(issue.input)}`;
    }
    case 'too_small':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
      }
      if (issue.origin === 'array' || issue.origin === 'string') {
        const unit = issue.origin === 'array' ? 'item' : 'character';
        if (issue.exact) return `must be exactly ${plural(issue.minimum, unit)}`;
        if (Number(issue.minimum) === 1) return 'must not be empty';
        return `must have at least ${plural(issue.minimum, unit)}`;
      }
      return undefined;
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
      }
      if (issue.origin === 'array' || issue.origin === 'string') {
        const unit = issue.origin === 'array' ? 'item' : 'character';
        return `must be ${issue.exact ? 'exactly' : 'at most'} ${plural(issue.maximum, unit)}`;
      }
      return undefined;
    default:
      return undefined;
  }
};

interface DefShape {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
}
const defOf = (schema: z.core.$ZodType): DefShape => schema._zod.def as unknown as DefShape;

/** The keys a strict object at `path` of `root` accepts. */
function allowedKeys(root: z.core.$ZodType, path: YamlPath): string[] {
  let schema: z.core.$ZodType | undefined = root;
  const unwrap = () => {
    while (schema && defOf(schema).innerType) schema = defOf(schema).innerType;
  };
  for (const segment of path) {
    unwrap();
    if (!schema) return [];
    const def = defOf(schema);
    schema =
      def.type === 'object' ? def.shape?.[String(segment)] : def.type === 'array' ? def.element : undefined;
  }
  unwrap();
  return schema && defOf(schema).type === 'object' ? Object.keys(defOf(schema).shape ?? {}) : [];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** `unknown key "x"` for a key at `path` of `root`, with the key probably meant or the keys allowed there. */
export function unknownKeyMessage(root: z.core.$ZodType, key: string, path: YamlPath): string {
  const allowed = allowedKeys(root, path);
  const normal = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const close =
    allowed.find((k) => normal(k) === normal(key)) ??
    allowed
      .map((k) => ({ k, d: editDistance(k, key) }))
      .filter(({ d }) => d <= (key.length > 4 ? 2 : 1))
      .sort((a, b) => a.d - b.d)[0]?.k;
  if (close) return `unknown key "${key}"; did you mean "${close}"?`;
  return allowed.length > 0
    ? `unknown key "${key}"; allowed keys: ${allowed.join(', ')}`
    : `unknown key "${key}"`;
}
