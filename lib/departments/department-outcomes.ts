/**
 * A department's ingestion outcomes: each report the transformer writes under `reports/<department>/`
 * (the last thing it writes for an upload) is announced on the department's SNS topic, which its data
 * stewards subscribe to.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { reportsPrefix } from '../../src/lake/layout.ts';
import { allowWildcards } from '../common/nag.ts';

export interface DepartmentOutcomesProps {
  readonly department: string;
  /** The bucket holding the reports (the quarantine bucket), with EventBridge notifications on. */
  readonly reportsBucket: s3.IBucket;
  /** Key of the topic. */
  readonly key: kms.IKey;
}

export class DepartmentOutcomes extends Construct {
  public readonly topic: sns.Topic;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: DepartmentOutcomesProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Data lake reports: ${props.department}`.slice(0, 100),
      masterKey: props.key,
      enforceSSL: true,
    });
    this.rule = new events.Rule(this, 'ReportRule', {
      description: `Public data lake: reports of ${props.department}`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.reportsBucket.bucketName] },
          object: { key: [{ prefix: reportsPrefix(props.department) }] },
        },
      },
    });
    this.rule.addTarget(
      new targets.SnsTopic(this.topic, {
        // A role of this rule publishes (and uses the key): the key's policy stays as the core stack wrote it.
        authorizeUsingRole: true,
        message: events.RuleTargetInput.fromObject({
          department: props.department,
          report: `s3://${events.EventField.fromPath('$.detail.bucket.name')}/${events.EventField.fromPath('$.detail.object.key')}`,
          time: events.EventField.time,
        }),
      }),
    );
    allowWildcards(this.rule, {
      finding: /^Action::kms:GenerateDataKey\*$/,
      reason:
        'Publishing to the encrypted topic needs a data key from the topic key (only that key is granted).',
    });
  }
}
