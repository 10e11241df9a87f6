import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { LAKE_DEFAULTS } from '../../lib/config/lake-config.ts';
import { LakeIngestion } from '../../lib/ingestion/ingestion.ts';
import { LakeMonitoring } from '../../lib/monitoring/lake-monitoring.ts';
import { LakeStorage } from '../../lib/storage/lake-storage.ts';
import { TRANSFORMER_METRICS } from '../../src/ingest/metrics.ts';
import { FIXTURE_HANDLER, fastStack } from './helpers.ts';

function monitoringStack(props: { alarmEmails?: string[]; oldestMessageAge?: Duration } = {}) {
  const stack = fastStack();
  const storage = new LakeStorage(stack, 'Storage');
  const key = new kms.Key(stack, 'OpsKey', { enableKeyRotation: true });
  const ingestion = new LakeIngestion(stack, 'Ingestion', { storage, opsKey: key, entry: FIXTURE_HANDLER });
  new LakeMonitoring(stack, 'Monitoring', { ingestion, key, ...props });
  return Template.fromStack(stack);
}

describe('LakeMonitoring defaults', () => {
  const template = monitoringStack();
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const alarm = (metric: string, namespace: string) =>
    alarms.find((a) => a.MetricName === metric && a.Namespace === namespace);

  it('alarms on dead letters, transformer errors and throttles, and old queued uploads', () => {
    expect(alarms).toHaveLength(5);
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(alarm('Errors', 'AWS/Lambda')).toMatchObject({ Threshold: 1, Statistic: 'Sum', Period: 300 });
    expect(alarm('Throttles', 'AWS/Lambda')).toMatchObject({ Threshold: 1 });
    expect(alarm('ApproximateAgeOfOldestMessage', 'AWS/SQS')).toMatchObject({
      Threshold: LAKE_DEFAULTS.oldestMessageAlarmSeconds,
      Statistic: 'Maximum',
    });
    for (const a of alarms) {
      expect(a).toMatchObject({
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }],
      });
    }
  });

  it('sends alarms to a KMS-encrypted topic the alarms may use', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OpsKey'), 'Arn'] },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('shows the queue, the transformer and the outcomes per department on a dashboard', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of Object.values(TRANSFORMER_METRICS)) {
      expect(body).toContain(`MetricName=\\\\\\"${metric}\\\\\\"`);
    }
    expect(body).toContain('PublicDataLake,department,service');
    // The service dimension the Lambda publishes with (its default and the environment the stack sets).
    expect(body).toContain('service=\\\\\\"lake-transformer\\\\\\"');
  });
});

describe('LakeMonitoring overrides', () => {
  it('subscribes the configured addresses and takes the age threshold', () => {
    const template = monitoringStack({
      alarmEmails: ['ops@example.org'],
      oldestMessageAge: Duration.minutes(10),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 600,
    });
  });
});
