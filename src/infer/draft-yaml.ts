/**
 * The YAML text of a draft contract: short lists and mappings on one line, each field's notes as a
 * comment above it, and a header comment asking for a review.
 */
import { Document, isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import type { InferredField } from './infer-field.ts';

/**
 * The draft contract `draft` as YAML, its `fields` annotated with their notes and its format with the
 * `notes` on the file as a whole; `file` had `sampled` rows read.
 */
export function draftYaml(
  draft: Record<string, unknown>,
  fields: readonly InferredField[],
  notes: readonly string[],
  file: string,
  sampled: number,
): string {
  const doc = new Document(draft);
  doc.commentBefore = [
    ` Draft contract inferred from ${file} (${sampled} rows sampled) by \`lake contract infer\`.`,
    ' Review every field: names, types, constraints, and above all the personal data and its protection.',
  ].join('\n');
  const root = doc.contents as YAMLMap;
  const flow = (node: unknown) => {
    if (isMap(node) || isSeq(node)) (node as YAMLMap | YAMLSeq).flow = true;
  };
  flow(root.get('format', true));
  const format = root.items.find((p) => (p.key as { value?: unknown })?.value === 'format');
  if (format && notes.length > 0)
    (format.key as { commentBefore?: string }).commentBefore = notes.map((n) => ` ${n}`).join('\n');
  flow(root.get('primaryKey', true));
  const items = (root.get('fields', true) as unknown as YAMLSeq).items;
  items.forEach((item, i) => {
    const map = item as YAMLMap;
    for (const k of ['headers', 'formats', 'trueValues', 'falseValues', 'constraints'])
      flow(map.get(k, true));
    const constraints = map.get('constraints', true);
    if (isMap(constraints)) flow(constraints.get('enum', true));
    if (fields[i].notes.length > 0) map.commentBefore = fields[i].notes.map((n) => ` ${n}`).join('\n');
  });
  const description = root.items.find((p) => (p.key as { value?: unknown })?.value === 'description');
  if (description)
    (description.key as { commentBefore?: string }).commentBefore =
      ' Write the description (the loader refuses the placeholder), then check the classification and mode';
  return doc.toString({ lineWidth: 110, flowCollectionPadding: false });
}
