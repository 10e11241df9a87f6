/**
 * The fixture lake (test/fixtures/cdk) synthesized as `cdk synth` would: asset bundling on, so the
 * transformer's asset directory in the cloud assembly is the real bundle (esbuild, the contracts bundle,
 * DuckDB's native package copied in), and every stack's template is what `cdk deploy` would send.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadLakeInputs } from '../../lib/config/inputs.ts';
import { buildLake } from '../../lib/lake-app.ts';
import { CDK_CONTEXT, FIXTURES } from '../cdk/helpers.ts';
import { MOTO_ACCOUNT, MOTO_REGION } from './moto-server.ts';

/** JSON of documented shapes (templates, AWS answers, the CLI's --json), read field by field. */
// biome-ignore lint/suspicious/noExplicitAny: JSON of documented shapes, read field by field
export type Json = any;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
  Metadata?: Record<string, Json>;
  DependsOn?: string | string[];
  [key: string]: unknown;
}

export interface CfnTemplate {
  Parameters?: Record<string, { Type: string; Default?: string }>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
  [key: string]: unknown;
}

export interface SynthStack {
  name: string;
  template: CfnTemplate;
}

export interface SynthLake {
  outdir: string;
  /** In dependency order: the core stack first. */
  stacks: SynthStack[];
  /** The transformer's asset directory (what the function's code zip holds). */
  transformerAsset: string;
  /** The transformer's logical id in the core template. */
  transformerId: string;
}

export function synthLake(): SynthLake {
  const outdir = mkdtempSync(join(tmpdir(), 'lake-moto-cdk-out-'));
  const app = new App({
    outdir,
    context: { ...CDK_CONTEXT, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true },
  });
  const lake = buildLake(app, loadLakeInputs({}, FIXTURES), {
    env: { account: MOTO_ACCOUNT, region: MOTO_REGION },
  });
  const assembly = app.synth();
  const stacks = [lake.core, ...lake.departmentStacks].map((s) => ({
    name: s.stackName,
    template: assembly.getStackByName(s.stackName).template as CfnTemplate,
  }));
  const core = stacks[0].template;
  const found = Object.entries(core.Resources).find(
    ([, r]) =>
      r.Type === 'AWS::Lambda::Function' &&
      String(r.Metadata?.['aws:cdk:path'] ?? '').includes('/Ingestion/Transformer/'),
  );
  const assetPath = found?.[1].Metadata?.['aws:asset:path'];
  if (!found || !assetPath) throw new Error('no transformer function with an asset in the core template');
  return { outdir, stacks, transformerAsset: join(outdir, assetPath), transformerId: found[0] };
}
