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
   * Break-glass administrators (role ARNs, wildcards allowed): every bucket and key of the perimeter.
   * @default - none
   */
  readonly admins?: readonly string[];
}

/**
 * Principals a bucket or key admits on top of the transformer and the admins: the department upload
 * roles (by their IAM path), or the curated readers.
 */
export type PerimeterAudience = 'departments' | 'curatedReaders';

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
  /**
   * IAM path of the department upload roles (the `departments` audience), e.g. `/lake/departments/`.
   * They live in stacks that depend on this one, so the policies name them by path rather than by ARN.
   * Every role under the path is admitted: it must not be the root path `/`.
   */
  readonly departmentRolePath: string;
  /** The buckets the perimeter guards. */
  readonly buckets: readonly PerimeterBucket[];
  /** The keys the perimeter guards (their administration stays with the account). */
  readonly keys: readonly PerimeterKey[];
}
