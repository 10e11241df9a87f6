/**
 * Dot paths into JSON documents (`data.list`, `contact.phone`), as contracts write them in
 * `format.property` and a field's `path`, turned into the JSON pointers DuckDB's JSON functions read,
 * and the steward's explanation when a wrapped document's `format.property` does not lead to an array
 * of records. Explanations name the path and the kind of JSON value found (object, number...), never a
 * value.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { FileRejectedError } from './errors.ts';
import { lit } from './sql.ts';

/** The keys of a dot path. */
export function pathKeys(path: string): string[] {
  return path.split('.');
}

/** The JSON pointer (RFC 6901) of a list of keys: `["a", "b/c"]` → `/a/b~1c`. */
export function jsonPointer(keys: readonly string[]): string {
  return keys.map((k) => `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The dot path of a list of keys, as reports and contracts show it. */
export function dotPath(keys: readonly string[]): string {
  return keys.join('.');
}

/** How a JSON type reads in a message: `an object`, `a number`... */
const KIND: Record<string, string> = {
  OBJECT: 'an object',
  ARRAY: 'an array',
  VARCHAR: 'a string',
  BIGINT: 'a number',
  UBIGINT: 'a number',
  DOUBLE: 'a number',
  BOOLEAN: 'true or false',
  NULL: 'null',
};

function kindOf(type: string | null): string {
  return type === null ? 'nothing' : (KIND[type] ?? `a ${type.toLowerCase()} value`);
}

/**
 * Checks that `property` leads to an array in the one document the relation `doc` (column `j`) holds;
 * else rejects the file saying where the path stops and what is there.
 */
export async function checkProperty(conn: DuckDBConnection, doc: string, property: string): Promise<void> {
  const keys = pathKeys(property);
  const types = keys.map((_, i) => `json_type(j, ${lit(jsonPointer(keys.slice(0, i + 1)))})`);
  const r = await conn.runAndReadAll(`SELECT json_type(j), ${types.join(', ')} FROM ${doc} LIMIT 1`);
  const row = r.getRows()[0]?.map((x) => (x === null ? null : String(x))) ?? [null];
  const advice =
    'set format.property to the dot path of the array of records (e.g. data.list), or remove it when the file is the array itself';
  for (let i = 0; i < keys.length; i++) {
    const parentType = row[i];
    const here = row[i + 1];
    if (here === null || here === undefined) {
      const parent = i === 0 ? 'the document' : `"${dotPath(keys.slice(0, i))}"`;
      const what =
        parentType === 'OBJECT'
          ? `${parent} is an object without the key "${keys[i]}"`
          : `${parent} is ${kindOf(parentType)}, not an object`;
      throw new FileRejectedError(
        'property',
        `format.property "${property}" is not in the file: ${what}; ${advice}`,
      );
    }
  }
  const last = row[keys.length];
  if (last !== 'ARRAY') {
    throw new FileRejectedError(
      'property',
      `format.property "${property}" holds ${kindOf(last)}, not an array of records; ${advice}`,
    );
  }
}
