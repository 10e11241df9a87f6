/**
 * YAML parsed with the position of every node, so a problem found in the data can be reported at the
 * file, line, column and key where it was written. Shared by the contract loaders and lake.yaml.
 */
import { type Document, isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { ContractIssue } from './errors.ts';

/** The keys and list indexes from the document's root to a value. */
export type YamlPath = readonly PropertyKey[];

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Which key names the items of a list in a key label: `{ fields: 'name' }` labels the third item of
 * `fields` as `fields[2] (owner_id)`.
 */
export type ItemLabels = Readonly<Record<string, string>>;

/** A parsed document, its line index and its plain value. */
export interface ParsedYaml {
  file: string;
  doc: Document;
  lines: LineCounter;
  data: unknown;
  itemLabels: ItemLabels;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one YAML document (duplicate keys are errors), or returns every syntax error with its position. */
export function parseYaml(
  text: string,
  file: string,
  itemLabels: ItemLabels = {},
): ParsedYaml | ContractIssue[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { file, line, column: col, key: '(yaml)', message: `YAML syntax error: ${e.message}` };
    });
  }
  try {
    return { file, doc, lines, data: doc.toJS(), itemLabels };
  } catch (e) {
    // e.g. too many alias expansions
    const message = e instanceof Error ? e.message : String(e);
    return [{ file, line: 1, column: 1, key: '(yaml)', message }];
  }
}

function nodePosition(node: unknown, lines: LineCounter): Position | undefined {
  if (!isNode(node) || !node.range) return undefined;
  const { line, col } = lines.linePos(node.range[0]);
  return { line, column: col };
}

/** The position of the node at `path`: a mapping key, a list item, or the nearest existing ancestor. */
export function locate(parsed: ParsedYaml, path: YamlPath): Position {
  const { doc, lines } = parsed;
  let node: unknown = doc.contents;
  let position = nodePosition(node, lines) ?? { line: 1, column: 1 };
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (!pair) break;
      position = nodePosition(pair.key, lines) ?? position;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment];
      position = nodePosition(node, lines) ?? position;
    } else {
      break;
    }
  }
  return position;
}

/**
 * A readable key for `path`, e.g. `fields[2] (owner_id).protect`: list items are labelled as `itemLabels`
 * says, with the value taken from the document as written.
 */
export function keyLabel(path: YamlPath, data: unknown, itemLabels: ItemLabels = {}): string {
  if (path.length === 0) return '(document)';
  let label = '';
  let value = data;
  let parent: PropertyKey | undefined;
  for (const segment of path) {
    value =
      isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
    if (typeof segment === 'number') {
      label += `[${segment}]`;
      const nameKey =
        typeof parent === 'string' && Object.hasOwn(itemLabels, parent) ? itemLabels[parent] : undefined;
      const name = nameKey && isRecord(value) ? value[nameKey] : undefined;
      if (typeof name === 'string' && name !== '') label += ` (${name})`;
    } else {
      label += label === '' ? String(segment) : `.${String(segment)}`;
    }
    parent = segment;
  }
  return label;
}

/** An issue at `path` of the document: its file, position and key label. */
export function issueAt(parsed: ParsedYaml, path: YamlPath, message: string): ContractIssue {
  return {
    file: parsed.file,
    ...locate(parsed, path),
    key: keyLabel(path, parsed.data, parsed.itemLabels),
    message,
  };
}

/**
 * Zod's issues for the document, each at its position; an unrecognized key becomes one issue per key,
 * worded by `unknownKey`.
 */
export function locateIssues(
  parsed: ParsedYaml,
  issues: readonly z.core.$ZodIssue[],
  unknownKey: (key: string, path: YamlPath) => string,
): ContractIssue[] {
  const out: ContractIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push(issueAt(parsed, [...issue.path, key], unknownKey(key, issue.path)));
    } else {
      out.push(issueAt(parsed, issue.path, issue.message));
    }
  }
  return out;
}
