import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaFiles } from '../../scripts/write-contract-schema.ts';
import { contractJsonSchema, departmentsJsonSchema, type JsonSchema } from '../../src/contracts/index.ts';
import { fixture } from './helpers.ts';

const ROOT = new URL('../../', import.meta.url);

/**
 * A small JSON Schema checker, enough for the keywords zod emits for these schemas. Returns the paths
 * (and keywords) that fail; empty when the value is valid.
 */
interface Keywords {
  anyOf?: Keywords[];
  const?: unknown;
  enum?: unknown[];
  type?: string | string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  items?: Keywords;
  properties?: Record<string, Keywords>;
  required?: string[];
  additionalProperties?: boolean;
}

function check(schema: JsonSchema | Keywords, value: unknown, path = '$'): string[] {
  const fail = (keyword: string) => [`${path}: ${keyword}`];
  const s = schema as Keywords;
  if (s.anyOf) {
    return s.anyOf.some((alt) => check(alt, value, path).length === 0) ? [] : fail('anyOf');
  }
  if (s.const !== undefined && value !== s.const) return fail('const');
  if (s.enum && !s.enum.includes(value)) return fail('enum');
  if (s.type) {
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    const actual = Array.isArray(value)
      ? 'array'
      : value === null
        ? 'null'
        : typeof value === 'number' && Number.isInteger(value)
          ? 'integer'
          : typeof value;
    if (!types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) return fail('type');
  }
  if (typeof value === 'string') {
    if (s.pattern && !new RegExp(s.pattern).test(value)) return fail('pattern');
    if (s.minLength !== undefined && value.length < s.minLength) return fail('minLength');
    if (s.maxLength !== undefined && value.length > s.maxLength) return fail('maxLength');
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) return fail('minimum');
    if (s.maximum !== undefined && value > s.maximum) return fail('maximum');
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) return fail('minItems');
    const items = s.items;
    return items ? value.flatMap((v, i) => check(items, v, `${path}[${i}]`)) : [];
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const properties = s.properties ?? {};
    const errors = (s.required ?? []).filter((k) => !(k in record)).map((k) => `${path}.${k}: required`);
    for (const [k, v] of Object.entries(record)) {
      if (properties[k]) errors.push(...check(properties[k], v, `${path}.${k}`));
      else if (s.additionalProperties === false) errors.push(`${path}.${k}: additionalProperties`);
    }
    return errors;
  }
  return [];
}

const yamlFixture = (...parts: string[]) => parse(readFileSync(fixture(...parts), 'utf8'));

describe('JSON Schema', () => {
  it('committed schema/ files equal freshly generated ones (run `npm run schema` after changing the contract)', () => {
    const files = schemaFiles();
    expect(Object.keys(files).sort()).toEqual([
      'schema/dataset.schema.json',
      'schema/departments.schema.json',
    ]);
    for (const [path, content] of Object.entries(files)) {
      expect(readFileSync(new URL(path, ROOT), 'utf8'), path).toBe(content);
    }
  });

  it('describes the YAML as written: keys with defaults are optional', () => {
    const schema = contractJsonSchema() as { required: string[]; additionalProperties: boolean };
    expect(schema.required.sort()).toEqual(['department', 'fields', 'name', 'title']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts valid contracts and rejects unknown keys', () => {
    const schema = contractJsonSchema();
    expect(check(schema, yamlFixture('datasets', 'health', 'clinics.yaml'))).toEqual([]);
    expect(check(schema, yamlFixture('datasets', 'statistics', 'population.yaml'))).toEqual([]);
    expect(check(schema, yamlFixture('bad', 'unknown-key.yaml'))).toEqual([
      '$.fields[0].constraint: additionalProperties',
    ]);
    expect(check(schema, yamlFixture('bad', 'bad-type.yaml'))).toEqual(['$.fields[1].type: enum']);
  });

  it('accepts departments.yaml and rejects unknown keys in it', () => {
    const schema = departmentsJsonSchema();
    expect(check(schema, yamlFixture('departments.yaml'))).toEqual([]);
    expect(check(schema, yamlFixture('bad', 'departments.yaml'))).toEqual([
      '$.departments[1].id: pattern',
      '$.departments[2].uploader: additionalProperties',
      '$.departments[4].name: required',
    ]);
  });
});
