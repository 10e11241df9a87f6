/**
 * `lake sql`: an interactive SQL shell over the same lake as `lake query`. Statements may span lines and
 * end with `;`; `.tables` lists the tables, `.schema <table>` (or `\d <table>`) shows a table's columns,
 * `.quit` ends; Tab completes table and column names. Each result prints as `lake query` prints it, with
 * its time. The history lives only as long as the shell: a query can quote personal data.
 */
import { createInterface, type Interface } from 'node:readline';
import type { LakeBackend } from '../backend.ts';
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import type { Context } from '../context.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { escapeControls } from '../output.ts';
import { silentProgress } from '../progress.ts';
import { StatementBuffer } from '../sql-statements.ts';
import { printResult } from './query.ts';

const PROMPT = 'lake> ';
const MORE = '   -> ';
const HELP = [
  'SQL statements end with ;  (tables are <department>.<dataset>)',
  '.tables              the tables',
  ".schema <table>      a table's columns (also \\d <table>; \\d alone: .tables)",
  '.quit                leave (also .exit, Ctrl-D)',
].join('\n');

/** Table and column names for Tab completion, from the contracts. */
async function completionWords(ctx: Context): Promise<string[]> {
  const { datasetModel, tableColumns } = await import('../../lake/dataset-model.ts');
  const words = new Set<string>();
  for (const c of ctx.contractsIfAny()?.datasets.values() ?? []) {
    words.add(`${c.department}.${c.name}`);
    for (const col of tableColumns(datasetModel(c))) words.add(col.name);
  }
  return [...words].sort();
}

function completer(words: readonly string[]) {
  return (line: string): [string[], string] => {
    const word = /[\w.]*$/.exec(line)?.[0] ?? '';
    const hits = words.filter((w) => w.startsWith(word));
    return [hits, word];
  };
}

/** Prints the error of one statement; the shell goes on. */
function printFailure(ctx: Context, e: unknown): void {
  const text = (s: string) => escapeControls(s, { newlines: true });
  const err = e instanceof Error ? e : new Error(String(e));
  ctx.io.stderr.write(`lake: ${text(err.message)}\n`);
  if (err instanceof CliError && err.hint) ctx.io.stderr.write(`${text(err.hint)}\n`);
}

/** Runs a dot command; false when it ends the shell. */
async function dotCommand(ctx: Context, lake: LakeBackend, line: string): Promise<boolean> {
  const [name, arg] = line.trim().split(/\s+/, 2);
  if (name === '.quit' || name === '.exit' || name === '\\q') return false;
  if (name === '.help') {
    ctx.out.line(HELP);
  } else if (name === '.tables' || (name === '\\d' && !arg)) {
    const all = await lake.datasets();
    ctx.out.table(
      [{ header: 'table' }, { header: 'title', max: 60 }, { header: 'rows', right: true }],
      all.map((d) => [`${d.department}.${d.name}`, d.title, d.rows ?? '-']),
    );
  } else if (name === '.schema' || name === '\\d') {
    if (!arg) throw new UsageError(`${name} needs a table`, 'e.g. .schema health.clinics');
    const d = await lake.dataset(parseDatasetRef(arg, 'the table'));
    ctx.out.table(
      [{ header: 'column' }, { header: 'type' }, { header: 'description', max: 60 }],
      d.columns.map((c) => [c.name, c.type, c.description ?? '']),
    );
  } else {
    throw new UsageError(`unknown command ${name}`, 'Type .help for the commands.');
  }
  return true;
}

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'an interactive SQL shell on the lake: multi-line statements, .tables, .schema <table>',
  usage: '',
  options: {},
  globals: LAKE_GLOBALS,
  details: `${HELP}\n\nStatements may also come from a pipe: lake sql < queries.sql (exit code 1 if any failed).`,
  async run(ctx) {
    if (ctx.out.json)
      throw new UsageError('lake sql is interactive: it has no --json', 'Use lake query --json "<sql>".');
    const input = ctx.io.stdin;
    if (!input) throw new UsageError('lake sql needs a standard input');
    const lake = await ctx.backend();
    const terminal = input.isTTY === true && ctx.io.stdout.isTTY === true;
    const rl: Interface = createInterface({
      input,
      output: terminal ? (ctx.io.stdout as NodeJS.WritableStream) : undefined,
      terminal,
      completer: terminal ? completer(await completionWords(ctx)) : undefined,
      historySize: 500,
    });
    if (terminal) ctx.out.line(`${lake.description}; .help for help, .quit to leave`);
    const buffer = new StatementBuffer();
    let failed = false;
    const prompt = () => {
      if (terminal) {
        rl.setPrompt(buffer.pending ? MORE : PROMPT);
        rl.prompt();
      }
    };
    rl.on('SIGINT', () => {
      if (!buffer.pending) return rl.close();
      buffer.clear();
      ctx.io.stdout.write('\n');
      prompt();
    });
    ctx.io.signal?.addEventListener('abort', () => rl.close(), { once: true });
    const run = async (sql: string) => {
      try {
        printResult(ctx.out, await lake.query(sql, silentProgress, ctx.io.signal));
      } catch (e) {
        failed = true;
        printFailure(ctx, e);
      }
    };
    prompt();
    for await (const line of rl) {
      if (!buffer.pending && /^\s*(\.|\\[a-z])/.test(line)) {
        try {
          if (!(await dotCommand(ctx, lake, line))) break;
        } catch (e) {
          failed = true;
          printFailure(ctx, e);
        }
      } else {
        for (const statement of buffer.push(line)) await run(statement);
      }
      prompt();
    }
    rl.close();
    const rest = buffer.rest();
    if (rest) await run(rest);
    return failed && !terminal ? EXIT.failure : EXIT.ok;
  },
};
