/**
 * A draft contract from a sample file: the engine reads the file as it would an upload, then each column's
 * sampled values suggest a field (see inferField) and the columns together a primary key. The draft is
 * checked with the contract loader before it is returned; a person reviews it before use.
 */
import { basename } from 'node:path';
import { parseContract } from '../contracts/load-contract.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { primaryKeyOf } from './draft-constraints.ts';
import { draftYaml } from './draft-yaml.ts';
import { type InferredField, inferField } from './infer-field.ts';
import { type Format, INFER_SAMPLE_ROWS, readSample } from './read-sample.ts';

export interface InferResult {
  contract: DatasetContract;
  yaml: string;
  fields: InferredField[];
  rowsSampled: number;
  encoding: string | null;
  format: Format;
}

/**
 * Drafts the contract of dataset `ref` from the first `sampleRows` rows of `inputPath`. Throws an
 * InferError when the file cannot be read.
 */
export async function inferContract(
  inputPath: string,
  ref: DatasetRef,
  sampleRows = INFER_SAMPLE_ROWS,
): Promise<InferResult> {
  const { format, encoding, columns, rows } = await readSample(inputPath, ref, sampleRows);
  const taken = new Set<string>();
  const fields = columns.map((h, i) =>
    inferField(
      h,
      rows.map((r) => r[i]),
      i,
      taken,
    ),
  );
  const pk = primaryKeyOf(fields, rows);
  const formatSpec: Record<string, unknown> = { type: format };
  if (format !== 'xlsx') formatSpec.encoding = encoding && encoding !== 'utf-8' ? encoding : 'auto';
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
  const yaml = draftYaml(draft, fields, basename(inputPath), rows.length);
  const contract = parseContract(yaml, `datasets/${ref.department}/${ref.dataset}.yaml`);
  return { contract, yaml, fields, rowsSampled: rows.length, encoding, format };
}
