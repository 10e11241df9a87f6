/**
 * A draft contract from a sample file: the engine reads the file as it would an upload, the rows that are
 * not data (totals, footnotes) are set apart with a proposed `format.skipRows`, then each column's sampled
 * values suggest a field (see inferField) and the columns together a primary key. The draft is checked
 * with the contract loader (as a draft: its description is a placeholder only a person can replace)
 * before it is returned; a person reviews it before use.
 */
import { basename } from 'node:path';
import { DRAFT_DESCRIPTION } from '../contracts/draft-placeholder.ts';
import { parseContract } from '../contracts/load-contract.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { primaryKeyOf } from './draft-constraints.ts';
import { draftYaml } from './draft-yaml.ts';
import { type InferredField, inferField } from './infer-field.ts';
import { type Format, INFER_SAMPLE_ROWS, readSample, type Sample } from './read-sample.ts';
import { tableRows } from './table-rows.ts';

export interface InferResult {
  contract: DatasetContract;
  yaml: string;
  fields: InferredField[];
  /** Notes on the file as a whole: header, left-out rows, merged cells. */
  notes: string[];
  rowsSampled: number;
  encoding: string | null;
  format: Format;
}

/** `format` of the draft, with the notes that explain its keys. */
function draftFormat(sample: Sample, skipRows: string[]): { spec: Record<string, unknown>; notes: string[] } {
  const spec: Record<string, unknown> = { type: sample.format };
  const notes: string[] = [];
  if (sample.format !== 'xlsx')
    spec.encoding = sample.encoding && sample.encoding !== 'utf-8' ? sample.encoding : 'auto';
  if (sample.property) {
    spec.property = sample.property;
    notes.push(`the records are the array at ${sample.property} of the document: format.property`);
  }
  if (sample.header) {
    spec.headerRows = sample.header.rows;
    const above = sample.header.skipped;
    const row = sample.format === 'xlsx' ? 'row' : 'line';
    notes.push(
      `the header is on ${row} ${sample.header.rows.join(', ')}${above.length ? `, below title rows (${row} ${above.join(', ')}), which are left out` : ''}: format.headerRows`,
    );
  }
  if (skipRows.length > 0) spec.skipRows = skipRows;
  if (sample.filledFromMerged > 0)
    notes.push(
      `${sample.filledFromMerged} cells of merged ranges were given their range's value (format.mergedCells: fill, the default)`,
    );
  return { spec, notes };
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
  const sample = await readSample(inputPath, ref, sampleRows);
  const table = tableRows(sample.rows, sample.lines, sample.rules, sample.format === 'xlsx' ? 'row' : 'line');
  const rows = table.data.map((i) => sample.rows[i]);
  const nested = new Set(sample.nested);
  const taken = new Set<string>();
  // A nested object's own column (its JSON text) is left out when its keys are columns of their own.
  const parents = new Set(
    sample.columns.filter((c, i) => nested.has(i) && c.includes('.')).map((c) => c.split('.')[0]),
  );
  const kept = sample.columns.flatMap((h, i) => (parents.has(h) && !nested.has(i) ? [] : [i]));
  const fields = kept.map((i) => {
    const h = sample.columns[i];
    const f = inferField(
      h,
      rows.map((r) => r[i]),
      i,
      taken,
      { dayNumbers: sample.format === 'xlsx', ...(nested.has(i) && h.includes('.') ? { path: h } : {}) },
    );
    f.notes.push(...(table.columnNotes.get(i) ?? []));
    return f;
  });
  const pk = primaryKeyOf(
    fields,
    rows.map((r) => kept.map((i) => r[i])),
  );
  const format = draftFormat(sample, table.skipRows);
  const notes = [...format.notes, ...table.notes];
  const draft: Record<string, unknown> = {
    name: ref.dataset,
    department: ref.department,
    title: `${ref.dataset.replace(/_/g, ' ')} (drafted from ${basename(inputPath)})`,
    description: DRAFT_DESCRIPTION,
    classification: fields.some((f) => f.field.pii) ? 'internal' : 'public',
    mode: 'replace',
    ...(pk ? { primaryKey: [pk] } : {}),
    format: format.spec,
    fields: fields.map((f) => f.field),
  };
  const yaml = draftYaml(draft, fields, notes, basename(inputPath), rows.length);
  const contract = parseContract(yaml, `datasets/${ref.department}/${ref.dataset}.yaml`, {}, { draft: true });
  return {
    contract,
    yaml,
    fields,
    notes,
    rowsSampled: rows.length,
    encoding: sample.encoding,
    format: sample.format,
  };
}
