/** Checks on the file arguments of validate, upload, ingest and contract infer. */
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { CliError, EXIT, UsageError } from '../errors.ts';

/** The absolute path of an existing regular file, or an error saying what is wrong with it. */
export function inputFile(cwd: string, arg: string | undefined, command: string): string {
  if (!arg)
    throw new UsageError(
      `${command} needs a file`,
      `Usage: lake ${command} <file> --dataset <department>/<dataset>`,
    );
  const path = resolve(cwd, arg);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new CliError(`no such file: ${arg}`, {
      hint: 'Check the path (relative to the current directory).',
      exitCode: EXIT.usage,
      code: 'missing_file',
    });
  }
  if (!isFile) {
    throw new CliError(`${arg} is not a file`, {
      hint: 'Give the path of one file.',
      exitCode: EXIT.usage,
      code: 'missing_file',
    });
  }
  return path;
}

/** The object name of an upload: `--name`, else the file's own name. */
export function objectName(path: string, name: string | undefined): string {
  const n = name ?? basename(path);
  if (n === '' || n.includes('\\') || n.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new UsageError(
      `"${n}" cannot be an object name`,
      'Use a plain file name such as clinics-2026-11.csv.',
    );
  }
  return n;
}
