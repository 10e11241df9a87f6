/**
 * The landing bucket takes a steward's file straight from the web portal's pages: its CORS lets the
 * portal's origin (its CloudFront URL, nothing else) PUT parts to presigned UploadPart URLs and read the
 * ETag each answers (src/portal/aws-uploads.ts). What a part may do is still the presigned URL's: the
 * department's upload role, on its own landing prefix.
 *
 * The rule is set by a custom resource (S3 PutBucketCors) rather than on the bucket itself: the portal's
 * CSP names the bucket, and the rule names the portal's distribution, so both on CloudFormation resources
 * would make each wait for the other. The resource's function may change the landing bucket's CORS and
 * nothing else; removing the portal removes the rule.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../common/nag.ts';

/** How long a browser keeps a preflight's answer (seconds). */
export const CORS_MAX_AGE_SECONDS = 3000;

/** The landing bucket's regional virtual-hosted origin: where the presigned part URLs point. */
export function bucketOrigin(scope: Construct, bucketName: string): string {
  const stack = Stack.of(scope);
  return `https://${bucketName}.s3.${stack.region}.${stack.urlSuffix}`;
}

/** The CORS rule of the landing bucket, for the portal at `origin` (`https://<domain>`, no path). */
export function browserUploadRule(origin: string) {
  return {
    ID: 'portal-uploads',
    AllowedOrigins: [origin],
    AllowedMethods: ['PUT'],
    AllowedHeaders: ['content-type'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: CORS_MAX_AGE_SECONDS,
  };
}

export interface BrowserUploadsProps {
  readonly bucket: s3.IBucket;
  /** The portal's origin (`https://<distribution domain>`). */
  readonly origin: string;
}

export class BrowserUploads extends Construct {
  public readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: BrowserUploadsProps) {
    super(scope, id);
    const bucket = props.bucket.bucketName;
    const put: cr.AwsSdkCall = {
      service: 'S3',
      action: 'PutBucketCors',
      parameters: { Bucket: bucket, CORSConfiguration: { CORSRules: [browserUploadRule(props.origin)] } },
      physicalResourceId: cr.PhysicalResourceId.of(`${id}-cors`),
    };
    this.resource = new cr.AwsCustomResource(this, 'Cors', {
      onCreate: put,
      onUpdate: put,
      // A bucket already gone (the destroy flag) has no rule left to remove.
      onDelete: {
        service: 'S3',
        action: 'DeleteBucketCors',
        parameters: { Bucket: bucket },
        ignoreErrorCodesMatching: 'NoSuchBucket',
      },
      // PutBucketCors and DeleteBucketCors are both s3:PutBucketCORS, on this bucket only.
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['s3:PutBucketCORS'], resources: [props.bucket.bucketArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    // The stack's one AwsCustomResource function (aws-cdk-lib names it so).
    const handler = Stack.of(this).node.tryFindChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/[^a-zA-Z0-9]/g, '')}`,
    );
    if (handler) acknowledgeHandler(handler as Construct);
  }
}

function acknowledgeHandler(handler: Construct): void {
  acknowledge(
    handler,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The custom-resource function of aws-cdk-lib (AwsCustomResource) writes its logs with AWSLambdaBasicExecutionRole; it runs only during deploys.',
  );
}
