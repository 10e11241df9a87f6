/** The SQL that checks every row against the rules, and the `_errors` list of a quarantined row. */
import type { DuplicateRules } from './duplicates.ts';
import { type FieldPlan, type Rule, typedColumns, valueColumns } from './fields.ts';
import { ident, lit } from './sql.ts';

/** The checked relation: values, typed values, one flag per rule and __ok. */
export function checkedQuery(plans: FieldPlan[], rules: Rule[], dups: DuplicateRules): string {
  const l1 = `SELECT __rn, __line, __row_rule, __row_error, ${valueColumns(plans).join(', ')} FROM src`;
  const l2 = `SELECT *, ${typedColumns(plans).join(', ')} FROM (${l1})`;
  const l3 = dups.joins.length
    ? `SELECT l2.*, ${dups.columns.join(', ')} FROM (${l2}) l2 ${dups.joins.join(' ')}`
    : l2;
  const flags = rules.map((r, i) => `${r.failed} AS ${ident(`f${i}`)}`);
  const anyFailed = rules.length ? rules.map((_, i) => ident(`f${i}`)).join(' OR ') : 'false';
  const msgs = rules.map((r, i) => `CASE WHEN ${ident(`f${i}`)} THEN ${r.message} END AS ${ident(`m${i}`)}`);
  const l4 = `SELECT *${flags.length ? `, ${flags.join(', ')}` : ''} FROM (${l3})`;
  return `SELECT *, (__row_rule IS NULL AND NOT (${anyFailed})) AS __ok${msgs.length ? `, ${msgs.join(', ')}` : ''} FROM (${l4})`;
}

/** The `_errors` list of a quarantined row: its structural error, or every rule it breaks. */
export function rowErrorsSql(rules: Rule[]): string {
  const entry = (column: string, rule: string, message: string) =>
    `{'column': ${column}, 'rule': ${rule}, 'message': ${message}}`;
  const items = rules.map(
    (r, i) =>
      `CASE WHEN ${ident(`f${i}`)} THEN ${entry(lit(r.field.field.name), lit(r.rule), ident(`m${i}`))} END`,
  );
  const fieldErrors = items.length
    ? `list_filter([${items.join(', ')}], x -> x IS NOT NULL)`
    : `CAST([] AS STRUCT("column" VARCHAR, "rule" VARCHAR, "message" VARCHAR)[])`;
  return `CASE WHEN __row_rule IS NOT NULL THEN [${entry('CAST(NULL AS VARCHAR)', '__row_rule', '__row_error')}] ELSE ${fieldErrors} END`;
}
