/**
 * The lake's data perimeter: the buckets it is given deny object reads, writes and deletes, and the keys
 * their data actions, to every principal but the lake's roles that use them (the transformer, the admins,
 * and each bucket's or key's audiences: the department upload roles, the curated readers, the analysts,
 * each named by its exact ARN, so a new role under the same IAM path or with a similar name gets nothing).
 * Identity policies of the same account (even s3:* and kms:* on *) then reach no lake data; the keys'
 * administration stays with the account. It adds statements to the resource policies and creates nothing.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { DataPerimeterProps, PerimeterAudience } from './data-perimeter-props.ts';

/** Object actions the buckets refuse to principals outside the lake's roles. */
const OBJECT_DATA_ACTIONS = ['s3:GetObject*', 's3:PutObject*', 's3:DeleteObject*'];
/** Key actions that expose or produce data, refused outside the lake's roles (administration stays). */
const KEY_DATA_ACTIONS = ['kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
/** Sid of the deny statement in each bucket policy. */
const BUCKET_DENY_SID = 'DenyOutsideLakeRoles';
/** Sid of the deny statement in each key policy. */
const KEY_DENY_SID = 'DenyDataUseOutsideLakeRoles';

/** Id of the stack-wide provider that empties buckets with autoDeleteObjects (the destroy flag). */
const AUTO_DELETE_PROVIDER_ID = 'Custom::S3AutoDeleteObjectsCustomResourceProvider';

/** An ARN with a wildcard where an exact one is required (tokens are checked in their literal parts). */
function wildcardArn(arn: string): boolean {
  return /[*?]/.test(Token.isUnresolved(arn) ? arn.replace(/\$\{Token\[[^\]]*\]\}/g, '') : arn);
}

export class DataPerimeter extends Construct {
  constructor(scope: Construct, id: string, props: DataPerimeterProps) {
    super(scope, id);
    const exact = { departmentRoles: props.departmentRoles ?? [], analysts: props.analysts ?? [] };
    for (const [prop, arns] of Object.entries(exact)) {
      const bad = arns.find(wildcardArn);
      if (bad !== undefined) {
        throw new Error(
          `DataPerimeter ${prop} has "${bad}"; name each principal by its exact ARN: a wildcard would admit any role created to match it.`,
        );
      }
    }
    const common = [
      props.transformer.roleArn,
      ...(props.erasure ? [props.erasure.roleArn] : []),
      ...(props.admins ?? []),
    ];
    const byAudience: Record<PerimeterAudience, string[]> = {
      departments: [...exact.departmentRoles],
      curatedReaders: props.curatedReaders.map((r) => r.roleArn),
      analysts: [...new Set(exact.analysts)],
      reportReaders: (props.reportReaders ?? []).map((r) => r.roleArn),
    };
    const allowed = (audiences: Iterable<PerimeterAudience>) => [
      ...common,
      ...[...audiences].flatMap((a) => byAudience[a]),
    ];

    const seen = new Set<unknown>();
    for (const { bucket, audiences = [], autoDeletesObjects = false } of props.buckets) {
      if (seen.has(bucket)) {
        throw new Error(`DataPerimeter is given bucket ${bucket.node.path} twice; list each bucket once.`);
      }
      seen.add(bucket);
      const principals = allowed(audiences);
      if (autoDeletesObjects) principals.push(this.emptyingRoleArn(bucket.node.path));
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: BUCKET_DENY_SID,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: OBJECT_DATA_ACTIONS,
          resources: [bucket.arnForObjects('*')],
          conditions: { ArnNotLike: { 'aws:PrincipalArn': principals } },
        }),
      );
    }

    // A key given twice (the data and curated keys may be one) gets one statement with both audiences.
    const keys = new Map<kms.IKey, Set<PerimeterAudience>>();
    for (const { key, audiences = [] } of props.keys) {
      const merged = keys.get(key) ?? new Set<PerimeterAudience>();
      for (const audience of audiences) merged.add(audience);
      keys.set(key, merged);
    }
    for (const [key, audiences] of keys) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: KEY_DENY_SID,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: KEY_DATA_ACTIONS,
          resources: ['*'],
          conditions: { ArnNotLike: { 'aws:PrincipalArn': allowed(audiences) } },
        }),
      );
    }
  }

  /** The role of the stack's object-emptying helper, which must reach a bucket it empties. */
  private emptyingRoleArn(bucketPath: string): string {
    const provider = Stack.of(this).node.tryFindChild(AUTO_DELETE_PROVIDER_ID) as
      | { roleArn?: string }
      | undefined;
    if (!provider?.roleArn) {
      throw new Error(
        `DataPerimeter: bucket ${bucketPath} is said to auto-delete its objects, but the stack has no ${AUTO_DELETE_PROVIDER_ID}; create the bucket with autoDeleteObjects before the perimeter, or drop autoDeletesObjects.`,
      );
    }
    return provider.roleArn;
  }
}
