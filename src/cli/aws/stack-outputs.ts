/**
 * Finding the deployed lake: the outputs file `cdk deploy --all --outputs-file cdk-outputs.json` writes, or
 * the stacks' outputs read from CloudFormation (`--stack <name prefix>`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { type LakeOutputs, readLakeOutputs } from '../../lake/outputs.ts';
import { CliError, EXIT } from '../errors.ts';

/** The outputs file looked for in the current directory when none is named. */
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';

export interface DeployedLake {
  outputs: LakeOutputs;
  /** Where the outputs came from, for messages: a file, or `CloudFormation stacks <prefix>*`. */
  source: string;
  /** The region the stack is in, when the outputs tell it (from an ARN or queue URL). */
  region?: string;
}

const DEPLOY_HINT =
  'Deploy the lake with `npx cdk deploy --all --outputs-file cdk-outputs.json` and run lake where that file is (or pass --outputs <file> or --stack <name>), or add --local to use the local lake.';

export function noStack(message: string, cause?: unknown): CliError {
  return new CliError(message, { hint: DEPLOY_HINT, exitCode: EXIT.config, code: 'no_stack', cause });
}

/** The SDK's error when no region is set anywhere (option, environment or profile). */
function isMissingRegion(e: unknown): boolean {
  return e instanceof Error && /region is missing/i.test(e.message);
}

/** `--stack` needs the region the stacks are in: nothing else can tell it. */
export function noRegion(prefix: string, cause?: unknown): CliError {
  return new CliError(`--stack ${prefix}: no AWS region is set, so the stacks cannot be looked up`, {
    hint: 'Pass --region <region> (for example --region cn-northwest-1) or set AWS_REGION (or a region in your AWS profile), the region the lake is deployed in.',
    exitCode: EXIT.config,
    code: 'no_region',
    cause,
  });
}

/** True when `cwd` holds an outputs file of a deployed lake (what makes the deployed lake the default). */
export function hasDefaultOutputs(cwd: string): boolean {
  const path = resolve(cwd, DEFAULT_OUTPUTS_FILE);
  if (!existsSync(path)) return false;
  try {
    readLakeOutputs(JSON.parse(readFileSync(path, 'utf8')));
    return true;
  } catch {
    return false;
  }
}

/** Reads the lake's outputs from a `cdk deploy --outputs-file` JSON file. */
export function readOutputsFile(file: string, cwd: string): DeployedLake {
  const path = resolve(cwd, file);
  const shown = relative(cwd, path) || file;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw noStack(
      missing
        ? `no deployed stack found: ${shown} does not exist`
        : `${shown} is not a CDK outputs file: ${(e as Error).message}`,
      e,
    );
  }
  return fromOutputs(data as Record<string, Record<string, string>>, shown);
}

/** Reads the outputs of the stacks whose names start with `prefix` from CloudFormation. */
export async function readStackOutputs(cfn: CloudFormationClient, prefix: string): Promise<DeployedLake> {
  // Loaded here: finding the local lake (no --stack) must not load the CloudFormation SDK.
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const stacks: Stack[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const page = await cfn.send(new DescribeStacksCommand({ NextToken }));
      stacks.push(...(page.Stacks ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (e) {
    if (isMissingRegion(e)) throw noRegion(prefix, e);
    throw noStack(`could not list the CloudFormation stacks: ${(e as Error).message}`, e);
  }
  const ours = stacks.filter((s) => s.StackName?.startsWith(prefix) && !s.StackStatus?.startsWith('DELETE'));
  if (ours.length === 0)
    throw noStack(`no deployed stack found: no CloudFormation stack is named ${prefix}*`);
  const outputs: Record<string, Record<string, string>> = {};
  for (const s of ours) {
    outputs[s.StackName ?? ''] = Object.fromEntries(
      (s.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
  }
  return fromOutputs(outputs, `CloudFormation stacks ${prefix}*`);
}

function fromOutputs(data: Record<string, Record<string, string>>, source: string): DeployedLake {
  let outputs: LakeOutputs;
  try {
    outputs = readLakeOutputs(data);
  } catch (e) {
    throw noStack(`no deployed stack found in ${source}: ${(e as Error).message}`, e);
  }
  return { outputs, source, region: regionOf(outputs) };
}

/** The region named by an ARN or queue URL among the outputs. */
export function regionOf(outputs: LakeOutputs): string | undefined {
  for (const value of Object.values(outputs.core)) {
    const arn = /^arn:[a-z-]+:[a-z0-9-]+:([a-z0-9-]+):/.exec(value);
    if (arn?.[1]) return arn[1];
    const url = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(value);
    if (url) return url[1];
  }
  return undefined;
}

/**
 * The deployed lake's open-data zone (its bucket and CloudFront URL), for withdrawal and erasure to reach
 * it (LakeBuckets.open); undefined for a lake deployed before the zone existed.
 */
export function openZoneOf(outputs: LakeOutputs): { bucket: string; baseUrl?: string } | undefined {
  const bucket = outputs.core.openDataBucket;
  if (!bucket) return undefined;
  return outputs.core.openDataUrl ? { bucket, baseUrl: outputs.core.openDataUrl } : { bucket };
}
