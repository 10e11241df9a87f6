import { type CfnElement, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { DESTROY_DATA_CONTEXT } from '../../lib/common/context.ts';
import { AccessLogsBucket } from '../../lib/storage/access-logs-bucket.ts';
import { LakeBucket, type LakeBucketProps } from '../../lib/storage/lake-bucket.ts';
import { fastStack } from './helpers.ts';

/** One LakeBucket in a stack of its own, with its template and logical ids. */
function lakeBucket(props: Partial<LakeBucketProps> = {}, context: Record<string, unknown> = {}) {
  const stack = fastStack(context);
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const logs = new AccessLogsBucket(stack, 'Logs');
  const bucket = new LakeBucket(stack, 'Data', {
    encryptionKey: key,
    serverAccessLogsBucket: logs,
    ...props,
  });
  const template = Template.fromStack(stack);
  const id = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as CfnElement);
  return { bucket, template, resource: template.findResources('AWS::S3::Bucket')[id(bucket)], id, key, logs };
}

describe('LakeBucket defaults', () => {
  const { bucket, template, resource, id, key, logs } = lakeBucket();

  it('encrypts with the given key (bucket key on), versions, logs under its id and is retained', () => {
    expect(resource.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              KMSMasterKeyID: { 'Fn::GetAtt': [id(key), 'Arn'] },
              SSEAlgorithm: 'aws:kms',
            },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(logs) }, LogFilePrefix: 'data/' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(resource.Properties.ObjectLockEnabled).toBeUndefined();
    expect(resource.Properties.NotificationConfiguration).toBeUndefined();
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(bucket.autoDeletesObjects).toBe(false);
  });

  it('refuses plain HTTP, old TLS and objects not encrypted with its key', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === id(bucket),
    );
    const sids = policy?.Properties.PolicyDocument.Statement.map((s: { Sid?: string; Condition?: object }) =>
      s.Sid ? s.Sid : Object.keys(s.Condition ?? {})[0],
    );
    expect(sids).toEqual(['Bool', 'NumericLessThan', 'DenyNonKmsEncryption', 'DenyOtherKmsKey']);
  });
});

describe('LakeBucket options', () => {
  it('turns Object Lock on with a governance retention, and never empties a locked bucket', () => {
    const { bucket, resource } = lakeBucket(
      { objectLockRetention: Duration.days(30) },
      { [DESTROY_DATA_CONTEXT]: 'true' },
    );
    expect(resource.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
    });
    expect(bucket.autoDeletesObjects).toBe(false);
    expect(resource.DeletionPolicy).toBe('Delete');
  });

  it('empties an unlocked bucket on deletion when the destroy flag is set', () => {
    const { bucket, template } = lakeBucket({}, { [DESTROY_DATA_CONTEXT]: 'true' });
    expect(bucket.autoDeletesObjects).toBe(true);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });

  it('announces new objects on EventBridge without a notification Lambda', () => {
    const { resource, template } = lakeBucket({ eventBridgeNotifications: true, bucketKeyEnabled: false });
    expect(resource.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    expect(resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].BucketKeyEnabled).toBe(
      false,
    );
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  it('rejects Object Lock without versioning', () => {
    expect(() => lakeBucket({ objectLockRetention: Duration.days(1), versioned: false })).toThrow(
      /LakeBucket Data has objectLockRetention but versioned: false/,
    );
  });
});
