/**
 * Alarms and a dashboard for ingestion: uploads stuck in a dead-letter queue, transformer errors and
 * throttles, and uploads waiting too long; with a freshness check, one alarm per department with
 * datasets overdue for an update, and one when the check itself fails. Alarms go to an encrypted SNS
 * topic (and to the configured e-mail addresses).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  FRESHNESS_DIMENSION,
  FRESHNESS_METRICS_NAMESPACE,
  FRESHNESS_SERVICE_NAME,
  OVERDUE_DATASETS_METRIC,
} from '../../src/ingest/freshness-metrics.ts';
import {
  DEPARTMENT_DIMENSION,
  TRANSFORMER_METRICS,
  TRANSFORMER_METRICS_NAMESPACE,
  TRANSFORMER_SERVICE_NAME,
} from '../../src/ingest/metrics.ts';
import { LAKE_DEFAULTS } from '../config/lake-config.ts';
import type { LakeIngestion } from '../ingestion/ingestion.ts';
import { FRESHNESS_PERIOD, type FreshnessCheck } from './freshness-check.ts';

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
  /**
   * The daily freshness check, and the departments it counts: an alarm per department when one of its
   * datasets is overdue, and one when the check fails.
   * @default - no freshness alarms
   */
  readonly freshness?: { readonly check: FreshnessCheck; readonly departments: readonly string[] };
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

    if (props.freshness) {
      const { check, departments } = props.freshness;
      for (const department of [...departments].sort()) {
        alarm(
          `Overdue${pascal(department)}Alarm`,
          check.metricOverdue(department),
          1,
          `Datasets of ${department} missed their update frequency: \`lake status --overdue --department ${department}\` lists them.`,
        );
      }
      alarm(
        'FreshnessCheckErrorsAlarm',
        check.function.metricErrors({ period: FRESHNESS_PERIOD, statistic: cloudwatch.Stats.SUM }),
        1,
        'The daily freshness check failed: overdue datasets are not counted; read its logs.',
      );
    }

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
    if (props.freshness) {
      // One line per department: the freshness check's daily count.
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Overdue datasets per department',
          left: [
            new cloudwatch.MathExpression({
              expression: `SEARCH('{${FRESHNESS_METRICS_NAMESPACE},${FRESHNESS_DIMENSION},service} service="${FRESHNESS_SERVICE_NAME}" MetricName="${OVERDUE_DATASETS_METRIC}"', 'Maximum', ${FRESHNESS_PERIOD.toSeconds()})`,
              label: OVERDUE_DATASETS_METRIC,
              period: FRESHNESS_PERIOD,
            }),
          ],
          width: 24,
        }),
      );
    }
  }
}

/** `civil_affairs` → `CivilAffairs`, for construct ids. */
function pascal(id: string): string {
  return id.replace(/(^|[_-])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
