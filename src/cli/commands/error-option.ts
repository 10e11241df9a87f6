/** `--errors <n|all>` of report, validate and ingest: how many of an upload's errors to list. */
import type { OptionSpec, OptionValues } from '../command.ts';
import { UsageError } from '../errors.ts';

/** Errors listed when `--errors` is not given. */
export const DEFAULT_LISTED_ERRORS = 20;

export const ERRORS_OPTION: OptionSpec = {
  type: 'string',
  help: `<n|all> errors to list (default ${DEFAULT_LISTED_ERRORS}; all: every rejected row)`,
};

/** The number of errors to list, or null for all of them (`--errors all`, or `--all`). */
export function errorLimit(values: OptionValues): number | null {
  if (values.all === true || values.errors === 'all') return null;
  if (values.errors === undefined) return DEFAULT_LISTED_ERRORS;
  const n = Number(values.errors);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--errors must be a whole number or "all", not "${values.errors}"`);
  return n;
}
