/**
 * cdk-nag's AwsSolutions checks over the whole lake (core and department stacks): zero unacknowledged
 * findings, and every acknowledgement names its rule and gives a reason.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { addNagChecks, WildcardEvidencePlugin } from '../../lib/common/nag.ts';
import { buildFixtureLake, defaultInputs } from './helpers.ts';

function acknowledgements(root: {
  node: { findAll(): { node: { path: string; metadata: { type: string; data: unknown }[] } }[] };
}) {
  const out: { path: string; id: string; reason: string }[] = [];
  for (const c of root.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, unknown>)) {
        out.push({
          path: c.node.path,
          id,
          reason: typeof reason === 'string' ? reason : JSON.stringify(reason),
        });
      }
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions', () => {
  for (const [name, inputs] of [
    ['the fixture lake (every persona)', undefined],
    ['a lake with every default', defaultInputs()],
  ] as const) {
    it(`finds nothing unacknowledged in ${name}`, () => {
      const { app } = buildFixtureLake(inputs);
      addNagChecks(app);
      // Synthesis runs the plugins and fails on any violation.
      expect(() => app.synth()).not.toThrow();
      // The same checks, read directly: no violation at all.
      new WildcardEvidencePlugin(app).acknowledgeAll();
      const report = new AwsSolutionsChecks(app).validateScope(app);
      expect(
        report.violations.map(
          (v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
        ),
      ).toEqual([]);
      expect(report.success).toBe(true);

      const acks = acknowledgements(app);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(ack.id, ack.path).toMatch(/AwsSolutions-[A-Z]+\d+/);
        expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(30);
      }
      // Nothing is acknowledged on a whole stack.
      for (const ack of acks) expect(ack.path.split('/').length, ack.path).toBeGreaterThan(1);
    });
  }

  it('acknowledges only evidenced wildcards: a new one still fails', async () => {
    const { app, core } = buildFixtureLake();
    const iam = await import('aws-cdk-lib/aws-iam');
    core.ingestion.transformer.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [core.storage.rawBucket.arnForObjects('*')],
      }),
    );
    app.synth({ validateOnSynthesis: false, force: true });
    new WildcardEvidencePlugin(app).acknowledgeAll();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<StorageRaw.*\.Arn>\/\*\]$/),
    ]);
  });
});
