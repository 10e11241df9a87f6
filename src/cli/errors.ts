/**
 * Errors the CLI reports to a person: what is wrong, then what to do, and the exit code a script sees.
 * Anything else thrown by a command is a bug or an outage, reported with its message and exit code 1.
 */

/** Exit codes of every `lake` command (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** Something failed: a query, a request, the lake itself. */
  failure: 1,
  /** The command line is wrong: unknown command or option, a missing argument. */
  usage: 2,
  /** The file was read and rejected as a whole (validate, ingest). */
  rejected: 3,
  /** The configuration is wrong: an invalid contract, an unknown dataset, no deployed stack. */
  config: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
  /** A stable machine-readable name for `--json` (e.g. `unknown_dataset`). */
  readonly code: string;

  constructor(
    message: string,
    opts: { hint?: string; exitCode?: ExitCode; code?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'CliError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? EXIT.failure;
    this.code = opts.code ?? 'failure';
  }
}

/** The command line itself is wrong. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, {
      hint: hint ?? 'Run `lake help` for the commands and their options.',
      exitCode: EXIT.usage,
      code: 'usage',
    });
    this.name = 'UsageError';
  }
}
