/**
 * The `lake` command line: parse, dispatch to a command, print what went wrong in a person's terms, and
 * return the exit code. Everything a command touches comes through `io`, so tests run it in process.
 */
import { parseArgs } from 'node:util';
import { AccessError } from '../access/errors.ts';
import type { Command, OptionSpec, OptionValues } from './command.ts';
import { GLOBAL_OPTIONS } from './command.ts';
import { ACCESS_COMMANDS, ACCESS_GROUP_DETAILS } from './commands/access.ts';
import { catalogCommand } from './commands/catalog.ts';
import { contractInferCommand } from './commands/contract.ts';
import { demoCommand } from './commands/demo.ts';
import { eraseCommand } from './commands/erase.ts';
import { openCommand } from './commands/open.ts';
import { queryCommand } from './commands/query.ts';
import { redriveCommand } from './commands/redrive.ts';
import { reportCommand } from './commands/report.ts';
import { serveCommand } from './commands/serve.ts';
import { sqlCommand } from './commands/sql.ts';
import { statusCommand } from './commands/status.ts';
import { upCommand } from './commands/up.ts';
import { ingestCommand, uploadCommand } from './commands/upload.ts';
import { validateCommand } from './commands/validate.ts';
import { withdrawCommand } from './commands/withdraw.ts';
import { Context, type GlobalOptions, type RunHooks } from './context.ts';
import { CliError, EXIT, type ExitCode, UsageError } from './errors.ts';
import { escapeControls, type Io, jsonText, Output } from './output.ts';

export const COMMANDS: readonly Command[] = [
  demoCommand,
  upCommand,
  validateCommand,
  uploadCommand,
  ingestCommand,
  statusCommand,
  reportCommand,
  withdrawCommand,
  eraseCommand,
  catalogCommand,
  openCommand,
  queryCommand,
  sqlCommand,
  ...ACCESS_COMMANDS,
  contractInferCommand,
  redriveCommand,
  serveCommand,
];

function findCommand(positionals: readonly string[]): { command: Command; rest: string[] } | null {
  const [first, second, ...more] = positionals;
  const two = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (two) return { command: two, rest: more };
  const one = COMMANDS.find((c) => c.name === first);
  return one ? { command: one, rest: positionals.slice(1) } : null;
}

function allOptions(): Record<string, OptionSpec> {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) Object.assign(all, c.options);
  return all;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const m = /^(<\S+>)\s*(.*)$/.exec(o.help);
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${m ? ` ${m[1]}` : ''}`;
    return [flag, m ? m[2] : o.help];
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`);
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'lake: the public data lake from the command line',
    '',
    'Usage: lake <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options of every command that works on a lake:',
    ...optionLines(Object.fromEntries(Object.entries(GLOBAL_OPTIONS))),
    '',
    'The deployed lake is used when --outputs or --stack names it, or when ./cdk-outputs.json describes it;',
    'otherwise the local lake under .lake/ (started for the command, or the `lake up` serving it).',
    '`lake <command> --help` tells more about one command.',
  ].join('\n');
}

/** What a group's help says besides its commands. */
const GROUP_DETAILS: Record<string, string> = { access: ACCESS_GROUP_DETAILS };

/** The commands of a group (`contract infer` is in `contract`), or none when `group` is not one. */
function groupCommands(group: string | undefined): Command[] {
  return group ? COMMANDS.filter((c) => c.name.startsWith(`${group} `)) : [];
}

/** Help for a group of commands (`lake contract --help`): each of its commands and its summary. */
export function groupHelp(group: string): string {
  const members = groupCommands(group);
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `lake ${group}: ${members.map((c) => c.name.slice(group.length + 1)).join(', ')}`,
    '',
    `Usage: lake ${group} <command> [options]`,
    '',
    'Commands:',
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    ...(GROUP_DETAILS[group] ? [GROUP_DETAILS[group], ''] : []),
    `\`lake ${group} <command> --help\` tells more about one command.`,
  ].join('\n');
}

export function commandHelp(c: Command): string {
  const globals = Object.fromEntries(c.globals.map((g) => [g, GLOBAL_OPTIONS[g]]));
  return [
    `lake ${c.name}: ${c.summary}`,
    '',
    `Usage: lake ${c.name} ${c.usage}`.trimEnd(),
    ...(Object.keys(c.options).length ? ['', 'Options:', ...optionLines(c.options)] : []),
    ...(c.globals.length ? ['', 'Common options:', ...optionLines(globals)] : []),
    ...(c.details ? ['', c.details] : []),
  ].join('\n');
}

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
export async function run(argv: readonly string[], io: Io, hooks: RunHooks = {}): Promise<ExitCode> {
  let json = argv.includes('--json');
  let ctx: Context | undefined;
  try {
    let parsed: { values: OptionValues; positionals: string[] };
    try {
      parsed = parseArgs({
        args: [...argv],
        options: allOptions() as NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>,
        allowPositionals: true,
        strict: true,
      }) as { values: OptionValues; positionals: string[] };
    } catch (e) {
      throw new UsageError(
        (e as Error).message.replace(/\. To specify.*$/s, '').replace(/^Unknown option/, 'unknown option'),
      );
    }
    const { values, positionals } = parsed;
    json = values.json === true;
    if (positionals.length === 0 || positionals[0] === 'help') {
      const topic = positionals[1] ? findCommand(positionals.slice(1)) : null;
      if (positionals.length === 0 && !values.help) {
        io.stderr.write(`${mainHelp()}\n`);
        return EXIT.usage;
      }
      const group = !topic && groupCommands(positionals[1]).length > 0 ? positionals[1] : null;
      io.stdout.write(`${topic ? commandHelp(topic.command) : group ? groupHelp(group) : mainHelp()}\n`);
      return EXIT.ok;
    }
    const found = findCommand(positionals);
    const isGroup = groupCommands(positionals[0]).length > 0;
    if (!found && isGroup && positionals.length === 1 && values.help) {
      io.stdout.write(`${groupHelp(positionals[0])}\n`);
      return EXIT.ok;
    }
    if (!found) {
      const group = positionals[0];
      const usages = groupCommands(group).map((c) => `lake ${c.name} ${c.usage}`.trimEnd());
      throw new UsageError(
        isGroup && positionals.length === 1
          ? `lake ${group} needs a command: ${groupCommands(group)
              .map((c) => c.name.slice(group.length + 1))
              .join(', ')}`
          : `unknown command "${positionals.slice(0, isGroup ? 2 : 1).join(' ')}"`,
        isGroup
          ? `The ${group} commands: ${usages.join('; ')}. \`lake ${group} --help\` tells more.`
          : undefined,
      );
    }
    const { command, rest } = found;
    if (values.help) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return EXIT.ok;
    }
    // Common options are accepted everywhere (an alias may always pass --lake-dir); a command's own only by it.
    const allowed = new Set([...Object.keys(command.options), ...Object.keys(GLOBAL_OPTIONS)]);
    const stray = Object.keys(values).filter((k) => values[k] !== undefined && !allowed.has(k));
    if (stray.length > 0) {
      throw new UsageError(
        `lake ${command.name} does not take ${stray.map((s) => `--${s}`).join(', ')}`,
        `Run \`lake ${command.name} --help\` for its options.`,
      );
    }
    const out = new Output(io, { json });
    ctx = new Context(io, out, values as GlobalOptions, hooks);
    await ctx.prepare();
    return await command.run(ctx, rest, values);
  } catch (caught) {
    const e = accessCliError(caught);
    printError(io, e, json);
    return e instanceof CliError ? e.exitCode : EXIT.failure;
  } finally {
    await ctx?.close().catch((e) => printError(io, e, json));
  }
}

/** An access request's error (src/access) as the CLI reports it: its code and advice; a bad --as is a usage error. */
function accessCliError(e: unknown): unknown {
  if (!(e instanceof AccessError)) return e;
  const exitCode =
    e.code === 'bad_principal' ? EXIT.usage : e.code === 'not_found' ? EXIT.config : EXIT.failure;
  return new CliError(e.message, { hint: e.hint, code: e.code, exitCode, cause: e });
}

function printError(io: Io, e: unknown, json: boolean): void {
  const err = e instanceof Error ? e : new Error(String(e));
  const cli = err instanceof CliError ? err : null;
  if (json) {
    const doc = {
      error: { code: cli?.code ?? 'failure', message: err.message, ...(cli?.hint ? { hint: cli.hint } : {}) },
    };
    io.stderr.write(`${jsonText(doc)}\n`);
    return;
  }
  // Messages quote values from data (a query's conversion error does): shown, never acted on.
  const text = (s: string) => escapeControls(s, { newlines: true });
  io.stderr.write(`lake: ${text(err.message)}\n`);
  if (cli?.hint) io.stderr.write(`${text(cli.hint)}\n`);
  if (!cli && io.env.LAKE_DEBUG && err.stack) io.stderr.write(`${text(err.stack)}\n`);
}
