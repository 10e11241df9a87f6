/**
 * Writes the JSON Schemas of dataset contracts and departments.yaml to schema/, for editors and CI.
 * Run after changing src/contracts/schema.ts: `npm run schema`. A test fails when the files are stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contractJsonSchema, departmentsJsonSchema } from '../src/contracts/json-schema.ts';

/** The committed files and their generated content, as written (2-space JSON, trailing newline). */
export function schemaFiles(): Record<string, string> {
  const text = (schema: object) => `${JSON.stringify(schema, null, 2)}\n`;
  return {
    'schema/dataset.schema.json': text(contractJsonSchema()),
    'schema/departments.schema.json': text(departmentsJsonSchema()),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const [path, content] of Object.entries(schemaFiles())) {
    writeFileSync(`${root}${path}`, content);
    console.log(`wrote ${path}`);
  }
}
