/**
 * Alarms and a dashboard for ingestion: uploads stuck in a dead-letter queue, transformer errors and
 * throttles, and uploads waiting too long. Alarms go to an encrypted SNS topic (and to the configured
 * e-mail addresses).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  DEPARTMENT_DIMENSION,
  TRANSFORMER_METRICS,
  TRANSFORMER_METRICS_NAMESPACE,
  TRANSFORMER_SERVICE_NAME,
} from '../../src/ingest/metrics.ts';
import { LAKE_DEFAULTS } from '../config/lake-config.ts';
import type { LakeIngestion } from '../ingestion/ingestion.ts';

/** Metric period of the alarms. */
export const ALARM_PERIOD = Duration.minutes(5);

export interface LakeMonitoringProps {
  readonly ingestion: LakeIngestion;
  readonly key: kms.IKey;
  /**
   * Addresses that receive the alarms.
   * @default - none (subscribe to the topic)
   */
  readonly alarmEmails?: readonly string[];
  /**
   * Age of the oldest queued upload that raises an alarm.
   * @default - LAKE_DEFAULTS.oldestMessageAlarmSeconds (one hour)
   */
  readonly oldestMessageAge?: Duration;
}

export class LakeMonitoring extends Construct {
  public readonly alarmTopic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: LakeMonitoringProps) {
    super(scope, id);
    const { ingestion } = props;
    const age = props.oldestMessageAge ?? Duration.seconds(LAKE_DEFAULTS.oldestMessageAlarmSeconds);
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Data lake alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    for (const email of props.alarmEmails ?? []) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    const fn = ingestion.transformer;
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
    ): cloudwatch.Alarm => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      this.alarms.push(a);
      return a;
    };
    const max = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.MAXIMUM };
    const sum = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM };
    alarm(
      'DeadLetterAlarm',
      ingestion.deadLetterQueue.metricApproximateNumberOfMessagesVisible(max),
      1,
      'Uploads failed every delivery and wait in the dead-letter queue: read the transformer logs, fix, then redrive.',
    );
    alarm(
      'EventDeadLetterAlarm',
      ingestion.eventDeadLetterQueue.metricApproximateNumberOfMessagesVisible(max),
      1,
      'EventBridge could not deliver upload events to the transformer queue.',
    );
    alarm(
      'TransformerErrorsAlarm',
      fn.metricErrors(sum),
      1,
      'The transformer failed (errors are retried, then dead-lettered).',
    );
    alarm('TransformerThrottlesAlarm', fn.metricThrottles(sum), 1, 'The transformer was throttled.');
    alarm(
      'OldestUploadAlarm',
      ingestion.queue.metricApproximateAgeOfOldestMessage(max),
      age.toSeconds(),
      `An upload has waited more than ${age.toHumanString()} for the transformer.`,
    );

    // One line per department: a search over the transformer's metrics.
    const perDepartment = (metricName: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${TRANSFORMER_METRICS_NAMESPACE},${DEPARTMENT_DIMENSION},service} service="${TRANSFORMER_SERVICE_NAME}" MetricName="${metricName}"', 'Sum', ${ALARM_PERIOD.toSeconds()})`,
        label: metricName,
        period: ALARM_PERIOD,
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 })],
        [
          new cloudwatch.GraphWidget({
            title: 'Uploads queued',
            left: [
              ingestion.queue.metricApproximateNumberOfMessagesVisible(max),
              ingestion.deadLetterQueue.metricApproximateNumberOfMessagesVisible(max),
            ],
            right: [ingestion.queue.metricApproximateAgeOfOldestMessage(max)],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Transformer',
            left: [fn.metricInvocations(sum), fn.metricErrors(sum), fn.metricThrottles(sum)],
            right: [fn.metricDuration({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.p(95) })],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Rows accepted per department',
            left: [perDepartment(TRANSFORMER_METRICS.rowsAccepted)],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Rows rejected per department',
            left: [perDepartment(TRANSFORMER_METRICS.rowsRejected)],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Files rejected per department',
            left: [perDepartment(TRANSFORMER_METRICS.filesRejected)],
            width: 12,
          }),
        ],
      ],
    });
  }
}
