/** Props of DataPerimeter: the lake's roles, and the buckets and keys that admit no one else. */
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Who may use the lake's data buckets and keys; everyone else is denied by their resource policies. */
export interface LakeDataPrincipals {
  /** The transformer's role: every bucket and key of the perimeter. */
  readonly transformer: iam.IRole;
  /** Roles that read curated (Lake Formation's data access role): the `curatedReaders` audience. */
  readonly curatedReaders: readonly iam.IRole[];
  /**
   * The exact ARNs of the department upload roles (no wildcards): the `departments` audience. They live in
   * stacks that depend on this one, so they are named (see uploadRoleArn) rather than referenced.
   * @default - none
   */
  readonly departmentRoles?: readonly string[];
  /**
   * The exact ARNs of the principals that query through the lake's workgroups (the analyst personas of
   * lake.yaml; no wildcards): the `analysts` audience. Athena reads and writes their results as them.
   * @default - none
   */
  readonly analysts?: readonly string[];
  /**
   * Break-glass administrators (role ARNs, wildcards allowed): every bucket and key of the perimeter.
   * @default - none
   */
  readonly admins?: readonly string[];
  /**
   * The erasure role (`lake erase`): every bucket and key of the perimeter, as far as its own grants go.
   * @default - none
   */
  readonly erasure?: iam.IRole;
  /**
   * Roles that read reports (the daily freshness check): the `reportReaders` audience (the reports' bucket
   * and its key); their own grants keep them to reports/.
   * @default - none
   */
  readonly reportReaders?: readonly iam.IRole[];
}

/**
 * Principals a bucket or key admits on top of the transformer and the admins: the department upload
 * roles, the curated readers, or the analysts (each by exact ARN).
 */
export type PerimeterAudience = 'departments' | 'curatedReaders' | 'analysts' | 'reportReaders';

/** A bucket whose objects only the lake's roles may read, write or delete. */
export interface PerimeterBucket {
  readonly bucket: s3.IBucket;
  /**
   * Who else may use the bucket's objects, besides the transformer and the admins.
   * @default - no one else
   */
  readonly audiences?: readonly PerimeterAudience[];
  /**
   * True when CloudFormation's object-emptying helper empties the bucket on deletion (the destroy flag's
   * autoDeleteObjects): the helper's role is then admitted too.
   * @default false
   */
  readonly autoDeletesObjects?: boolean;
}

/** A key whose data actions (decrypt, re-encrypt, generate data keys) only the lake's roles may use. */
export interface PerimeterKey {
  readonly key: kms.IKey;
  /**
   * Who else may use the key, besides the transformer and the admins. A key given twice admits the
   * audiences of both entries.
   * @default - no one else
   */
  readonly audiences?: readonly PerimeterAudience[];
}

export interface DataPerimeterProps extends LakeDataPrincipals {
  /** The buckets the perimeter guards. */
  readonly buckets: readonly PerimeterBucket[];
  /** The keys the perimeter guards (their administration stays with the account). */
  readonly keys: readonly PerimeterKey[];
}
