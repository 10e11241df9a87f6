/** The shape of a `lake` command. */
import type { Context } from './context.ts';
import type { ExitCode } from './errors.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Given once or more (`--key a=1 --key b=2`): the value is a list. */
  multiple?: boolean;
  /** One line of help; the value's name in angle brackets first for string options. */
  help: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  /** e.g. `query`, or `contract infer` for a subcommand. */
  name: string;
  summary: string;
  /** Arguments after the name, e.g. `<file> --dataset <department>/<dataset>`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Common options that make sense for this command (shown in its help; the others are accepted and ignored). */
  globals: readonly string[];
  /** Paragraphs shown by `lake <command> --help` after the options. */
  details?: string;
  run(ctx: Context, positionals: readonly string[], values: OptionValues): Promise<ExitCode>;
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print one JSON document (for scripts) instead of tables' },
  local: { type: 'boolean', help: 'use the local lake even where a deployed stack is configured' },
  'lake-dir': { type: 'string', help: '<dir> the local lake directory (default .lake, or $LAKE_DIR)' },
  datasets: { type: 'string', help: '<dir> the dataset contracts (default ./datasets)' },
  departments: { type: 'string', help: '<file> departments.yaml (default beside the datasets directory)' },
  profile: { type: 'string', help: '<name> AWS profile for the deployed lake' },
  region: { type: 'string', help: '<region> AWS region for the deployed lake' },
  outputs: { type: 'string', help: '<file> the deployed stack outputs (`cdk deploy --outputs-file`)' },
  stack: { type: 'string', help: '<name> read the outputs of the CloudFormation stacks named <name>*' },
  as: {
    type: 'string',
    help: '<principal> on the local lake, act as steward:<department>, analyst:<department> or enterprise:<name> (or $LAKE_AS)',
  },
  help: { type: 'boolean', short: 'h', help: 'show help' },
};

/** Options of commands that work on either lake. */
export const LAKE_GLOBALS = [
  'json',
  'local',
  'lake-dir',
  'datasets',
  'departments',
  'profile',
  'region',
  'outputs',
  'stack',
  'as',
];
/** Options of commands that work on the local lake only. */
export const LOCAL_GLOBALS = ['json', 'lake-dir', 'datasets', 'departments'];
