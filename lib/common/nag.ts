/**
 * cdk-nag (AwsSolutions) for the lake. Every finding the lake accepts is acknowledged on the construct it
 * is about, with its reason, never on a whole stack, so a new finding anywhere still fails the synth.
 *
 * Wildcard findings (AwsSolutions-IAM5) name the exact resource, as CloudFormation will see it, e.g. a
 * bucket ARN imported from the core stack followed by `/landing/health/*`; that text exists only once the
 * app is synthesized. So constructs register *evidence* (a pattern for the wildcard they mean and the
 * reason it is needed), and the WildcardEvidence plugin, run just before cdk-nag, acknowledges exactly the
 * findings that match registered evidence. Anything else stays an error.
 */

import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** A wildcard a construct means to grant, and why. */
export interface WildcardEvidence {
  /** Matches the finding after `AwsSolutions-IAM5[`, e.g. /^Resource::.*\/landing\/health\/\*$/. */
  readonly finding: RegExp;
  readonly reason: string;
}

const evidence = new WeakMap<IConstruct, WildcardEvidence[]>();

/** Registers wildcards that `scope` (and everything under it) means to grant. */
export function allowWildcards(scope: IConstruct, ...entries: WildcardEvidence[]): void {
  evidence.set(scope, [...(evidence.get(scope) ?? []), ...entries]);
}

/** Acknowledges a whole rule on one construct, with its reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

function evidenceFor(node: IConstruct): WildcardEvidence[] {
  const found: WildcardEvidence[] = [];
  for (let c: IConstruct | undefined = node; c; c = c.node.scope) found.push(...(evidence.get(c) ?? []));
  return found;
}

const IAM5 = 'AwsSolutions-IAM5';

/**
 * Acknowledges each AwsSolutions-IAM5 finding that matches evidence registered on the policy's construct
 * or one of its parents. Register it before AwsSolutionsChecks.
 */
export class WildcardEvidencePlugin implements IPolicyValidationPlugin {
  public readonly name = 'LakeWildcardEvidence';
  public readonly version = '1.0.0';
  private readonly root: IConstruct;

  constructor(root: IConstruct) {
    this.root = root;
  }

  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.acknowledgeAll();
    return { success: true, violations: [] };
  }

  /** Acknowledges the evidenced findings in the tree; returns how many. */
  public acknowledgeAll(): number {
    let count = 0;
    for (const node of this.root.node.findAll()) {
      if (
        !(
          node instanceof iam.CfnPolicy ||
          node instanceof iam.CfnManagedPolicy ||
          node instanceof iam.CfnRole
        )
      ) {
        continue;
      }
      const known = evidenceFor(node);
      if (known.length === 0) continue;
      const result = rules.iam.IAMNoWildcardPermissions(node);
      if (!Array.isArray(result)) continue;
      for (const finding of result) {
        const match = known.find((e) => e.finding.test(finding));
        if (!match) continue;
        Validations.of(node).acknowledge({ id: `${IAM5}[${finding}]`, reason: match.reason });
        count++;
      }
    }
    return count;
  }
}

/** Adds the evidence plugin then cdk-nag's AwsSolutions checks to `app`. */
export function addNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(new WildcardEvidencePlugin(app), new AwsSolutionsChecks(app));
}

/** Escapes text for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Evidence for a wildcard over the objects under `prefix` (a lake zone or a department's prefix). */
export function objectPrefixEvidence(prefix: string, reason: string): WildcardEvidence {
  return { finding: new RegExp(`^Resource::.+/${escapeRegExp(prefix)}\\*$`), reason };
}
