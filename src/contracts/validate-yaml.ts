/** Parsing a contract-like YAML document and validating it against its zod schema, with every issue located. */
import type { z } from 'zod';
import type { ContractIssue } from './errors.ts';
import { errorMap, unknownKeyMessage } from './issue-messages.ts';
import {
  isRecord,
  issueAt,
  locateIssues,
  type ParsedYaml,
  parseYaml,
  type YamlPath,
} from './yaml-positions.ts';

/** Contracts' lists whose items are named in keys: `fields[2] (owner_id)`, `departments[0] (health)`. */
const CONTRACT_ITEM_LABELS = { fields: 'name', departments: 'id' } as const;

/**
 * Parses and validates one YAML document against `schema` (`what` names the document in the message
 * when it is not a mapping), returning the result or every issue found.
 */
export function validateYaml<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  what: string,
):
  | { ok: true; value: z.output<S>; parsed: ParsedYaml }
  | { ok: false; issues: ContractIssue[]; parsed?: ParsedYaml } {
  const parsed = parseYaml(text, file, CONTRACT_ITEM_LABELS);
  if (Array.isArray(parsed)) return { ok: false, issues: parsed };
  if (!isRecord(parsed.data)) {
    const message = `${what} must be a YAML mapping (key: value lines)`;
    return { ok: false, parsed, issues: [issueAt(parsed, [], message)] };
  }
  const result = schema.safeParse(parsed.data, { error: errorMap });
  if (!result.success) {
    const unknownKey = (key: string, path: YamlPath) => unknownKeyMessage(schema, key, path);
    return { ok: false, issues: locateIssues(parsed, result.error.issues, unknownKey), parsed };
  }
  return { ok: true, value: result.data, parsed };
}
