import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { LAKE_DEFAULTS } from '../../lib/config/lake-config.ts';
import { LakeIngestion } from '../../lib/ingestion/ingestion.ts';
import { FreshnessCheck } from '../../lib/monitoring/freshness-check.ts';
import { LakeMonitoring } from '../../lib/monitoring/lake-monitoring.ts';
import { LakeStorage } from '../../lib/storage/lake-storage.ts';
import {
  FRESHNESS_ENV,
  FRESHNESS_SERVICE_NAME,
  OVERDUE_DATASETS_METRIC,
} from '../../src/ingest/freshness-metrics.ts';
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

describe('the freshness check', () => {
  function freshnessStack() {
    const stack = fastStack();
    const storage = new LakeStorage(stack, 'Storage');
    const key = new kms.Key(stack, 'OpsKey', { enableKeyRotation: true });
    const ingestion = new LakeIngestion(stack, 'Ingestion', { storage, opsKey: key, entry: FIXTURE_HANDLER });
    const check = new FreshnessCheck(stack, 'Freshness', {
      storage,
      departments: ['health', 'civil_affairs'],
    });
    new LakeMonitoring(stack, 'Monitoring', {
      ingestion,
      key,
      freshness: { check, departments: ['health', 'civil_affairs'] },
    });
    return Template.fromStack(stack);
  }
  const template = freshnessStack();

  it('runs the check once a day on a schedule, with the reports bucket in its environment', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 1 * * ? *)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FreshnessFunction'), 'Arn'] } }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('overdue'),
      Environment: {
        Variables: Match.objectLike({
          [FRESHNESS_ENV.reportsBucket]: { Ref: Match.stringLikeRegexp('^StorageQuarantine') },
          POWERTOOLS_SERVICE_NAME: FRESHNESS_SERVICE_NAME,
        }),
      },
    });
  });

  it('raises one alarm per department with an overdue dataset, and one when the check fails', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const overdue = alarms.filter((a) => a.MetricName === OVERDUE_DATASETS_METRIC);
    expect(overdue.map((a) => a.Dimensions)).toEqual([
      [
        { Name: 'department', Value: 'civil_affairs' },
        { Name: 'service', Value: FRESHNESS_SERVICE_NAME },
      ],
      [
        { Name: 'department', Value: 'health' },
        { Name: 'service', Value: FRESHNESS_SERVICE_NAME },
      ],
    ]);
    for (const a of overdue) {
      expect(a).toMatchObject({
        Namespace: 'PublicDataLake',
        Period: 86400,
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }],
      });
    }
    expect(alarms.filter((a) => a.MetricName === 'Errors' && a.Period === 86400)).toHaveLength(1);
    expect(alarms).toHaveLength(5 + 3);
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('Overdue datasets per department');
    expect(body).toContain(`MetricName=\\\\\\"${OVERDUE_DATASETS_METRIC}\\\\\\"`);
  });

  it("lets the check's role read the reports, and nothing else of the lake", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes('FreshnessFunctionRole'),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    expect([...new Set(actions)].sort()).toEqual([
      'kms:Decrypt',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      's3:ListBucket',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const allowed = JSON.stringify(statements.filter((st: { Effect: string }) => st.Effect === 'Allow'));
    expect(allowed).toContain('/reports/*');
    expect(allowed).not.toMatch(/"s3:(Put|Delete)/);
    // The erasure receipts beside the reports are denied, by name and by listing.
    const denied = statements.filter((st: { Effect: string }) => st.Effect === 'Deny');
    expect(denied.map((st: { Sid: string }) => st.Sid).sort()).toEqual([
      'NoErasureReceiptListing',
      'NoErasureReceipts',
    ]);
    expect(JSON.stringify(denied)).toContain('/reports/_erasures/*');
  });
});
