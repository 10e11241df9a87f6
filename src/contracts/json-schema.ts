/**
 * JSON Schemas for editors and CI, generated from the same zod definitions the loader validates with.
 *
 * They describe the YAML as written (`io: 'input'`), so keys with defaults are optional. Checks that JSON
 * Schema cannot express (duplicate field names, primaryKey naming a field, pii/protect and formats rules,
 * regex compilation, department/name matching the file's location) are only done by the loader.
 */
import { z } from 'zod';
import { datasetSchema, departmentsFileSchema } from './schema.ts';

export type JsonSchema = Record<string, unknown>;

function generate(schema: z.ZodType, title: string, description: string): JsonSchema {
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' });
  return { $schema, title, description, ...rest };
}

/** JSON Schema of a dataset contract (`datasets/<department>/<dataset>.yaml`). */
export function contractJsonSchema(): JsonSchema {
  return generate(
    datasetSchema,
    'Dataset contract',
    'One dataset of the public-data lake: its fields, their types and constraints, and how it is published.',
  );
}

/** JSON Schema of `departments.yaml`. */
export function departmentsJsonSchema(): JsonSchema {
  return generate(
    departmentsFileSchema,
    'Departments',
    'The departments that publish into the public-data lake, and who may upload for them.',
  );
}
