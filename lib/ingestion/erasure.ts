/**
 * The erasure role: what `lake erase` runs as on the deployed lake (a lake admin assumes it). It alone may
 * delete raw's earlier versions before their governance retention ends (x-amz-bypass-governance-retention):
 * the raw bucket's policy denies s3:BypassGovernanceRetention to every other principal, the break-glass
 * admins included, so an erasure is the only way past Object Lock and leaves its receipt. It reads the
 * protect: hash key (to hash the ID it looks for), rewrites and deletes objects in landing, raw, curated
 * and quarantine (see storage-grants.ts grantErasure), and writes receipts under reports/_erasures/.
 *
 * It trusts the lake admins (lakeFormation.admins in lake.yaml) only; with none, nobody.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { LakeStorage } from '../storage/lake-storage.ts';
import type { HashKeySecret } from './hash-key-secret.ts';

/** Sid of the raw bucket's statement that keeps governance bypass to the erasure role. */
export const BYPASS_DENY_SID = 'DenyGovernanceBypassOutsideErasure';
/** Sid of the trust policy statement of an erasure role nobody may assume. */
export const NO_ERASERS_SID = 'NoLakeAdmins';

export interface LakeErasureProps {
  readonly storage: LakeStorage;
  readonly hashKeySecret: HashKeySecret;
  /** Who may assume the role: the lake admins' ARNs (wildcards allowed). @default - nobody */
  readonly admins?: readonly string[];
}

export class LakeErasure extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LakeErasureProps) {
    super(scope, id);
    const admins = props.admins ?? [];
    this.role = new iam.Role(this, 'Role', {
      description:
        "Public data lake: erasure of a person's rows (lake erase), past raw's governance retention",
      assumedBy: new iam.AccountRootPrincipal(),
    });
    // The account may delegate, but only to the admins' ARNs (a wildcard ARN cannot be a principal).
    (this.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = new iam.PolicyDocument({
      statements: [
        admins.length > 0
          ? new iam.PolicyStatement({
              actions: ['sts:AssumeRole'],
              principals: [new iam.AccountRootPrincipal()],
              conditions: { ArnLike: { 'aws:PrincipalArn': [...admins] } },
            })
          : new iam.PolicyStatement({
              sid: NO_ERASERS_SID,
              effect: iam.Effect.DENY,
              principals: [new iam.AnyPrincipal()],
              actions: ['sts:AssumeRole'],
            }),
      ],
    });
    props.storage.grantErasure(this.role);
    props.hashKeySecret.grantRead(this.role);
    props.storage.rawBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: BYPASS_DENY_SID,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:BypassGovernanceRetention'],
        resources: [props.storage.rawBucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.role.roleArn } },
      }),
    );
  }
}
