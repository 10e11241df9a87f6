/**
 * The lake's core stack: keys and buckets, ingestion, Lake Formation settings and tags, the Athena
 * workgroup, monitoring and the public analysts' grants. Departments (their upload roles, databases,
 * tables and grants) live in department stacks that depend on this one, so the lake grows past
 * CloudFormation's per-stack limits one group of departments at a time.
 */
import { CfnOutput, Duration, Size, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { writeContractsBundle } from '../src/ingest/contracts-bundle.ts';
import { QUERY_RESULTS_PREFIX } from '../src/lake/layout.ts';
import { CORE_OUTPUTS } from '../src/lake/outputs.ts';
import { LakeFormationSetup } from './access/lake-formation.ts';
import { personaGrants, TagGrants } from './access/tag-grants.ts';
import { dataRemovalPolicy } from './common/context.ts';
import type { LakeInputs } from './config/inputs.ts';
import { analystPrincipals } from './config/lake-config.ts';
import { uploadRoleArn } from './departments/upload-role-name.ts';
import { LakeIngestion } from './ingestion/ingestion.ts';
import { LakeMonitoring } from './monitoring/lake-monitoring.ts';
import { LakeQuery } from './query/lake-query.ts';
import { LakeStorage } from './storage/lake-storage.ts';

export interface LakeStackProps extends StackProps {
  readonly inputs: LakeInputs;
  /**
   * The transformer's handler source.
   * @default - lambdas/transformer/handler.ts
   */
  readonly transformerEntry?: string;
}

export class LakeStack extends Stack {
  public readonly inputs: LakeInputs;
  /** Key of the queues, topics and logs (the hash-key secret has a key of its own). */
  public readonly opsKey: kms.Key;
  public readonly storage: LakeStorage;
  public readonly ingestion: LakeIngestion;
  public readonly lakeFormation: LakeFormationSetup;
  public readonly query: LakeQuery;
  public readonly monitoring: LakeMonitoring;
  public readonly publicGrants: TagGrants;

  constructor(scope: Construct, id: string, props: LakeStackProps) {
    super(scope, id, {
      description: 'Public data lake: storage, ingestion, Lake Formation, query and monitoring',
      ...props,
    });
    const { inputs } = props;
    const { config } = inputs;
    this.inputs = inputs;
    const departmentIds = inputs.departments.map((d) => d.id);

    this.opsKey = new kms.Key(this, 'OpsKey', {
      description: 'Public data lake: queues, topics and logs',
      enableKeyRotation: true,
      removalPolicy: dataRemovalPolicy(this, 'the KMS key of queues, topics and logs'),
      pendingWindow: Duration.days(30),
    });
    // EventBridge (to the queue and the report topics) and CloudWatch alarms (to the alarm topic) encrypt
    // messages with this key.
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      this.opsKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Allow-${service.split('.')[0]}`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
    }

    const days = Duration.days;
    const s = config.storage;
    this.storage = new LakeStorage(this, 'Storage', {
      landingExpiration: days(s.landingExpirationDays),
      quarantineExpiration: days(s.quarantineExpirationDays),
      reportExpiration: days(s.reportExpirationDays),
      rawRetention: days(s.rawRetentionDays),
      accessLogExpiration: days(s.accessLogExpirationDays),
      noncurrentVersionExpiration: days(s.noncurrentVersionExpirationDays),
      queryResultExpiration: days(config.query.resultExpirationDays),
    });

    // The break-glass principals of the data perimeter and of the hash key.
    const admins = config.lakeFormation.admins;
    const datasetsDir = inputs.datasetsDir;
    const ing = config.ingestion;
    this.ingestion = new LakeIngestion(this, 'Ingestion', {
      storage: this.storage,
      opsKey: this.opsKey,
      admins,
      entry: props.transformerEntry,
      memorySize: ing.memoryMiB,
      timeout: Duration.seconds(ing.timeoutSeconds),
      ephemeralStorageSize: Size.mebibytes(ing.ephemeralStorageMiB),
      batchSize: ing.batchSize,
      maxConcurrency: ing.maxConcurrency,
      maxReceiveCount: ing.maxReceiveCount,
      writeContractsBundle: datasetsDir ? (outFile) => writeContractsBundle(datasetsDir, outFile) : undefined,
    });

    this.lakeFormation = new LakeFormationSetup(this, 'LakeFormation', {
      storage: this.storage,
      departments: departmentIds,
      admins,
    });

    // Department upload roles are named, not referenced: they live in the department stacks.
    this.storage.restrictDataAccess({
      transformer: this.ingestion.transformerRole,
      curatedReaders: [this.lakeFormation.dataAccessRole],
      departmentRoles: inputs.departments.map((d) => uploadRoleArn(this, this.stackName, d.id)),
      analysts: analystPrincipals(config),
      admins,
    });

    this.query = new LakeQuery(this, 'Query', {
      storage: this.storage,
      bytesScannedCutoffPerQuery: config.query.bytesScannedCutoffPerQuery,
      databasePrefix: config.catalog.databasePrefix,
    });

    this.monitoring = new LakeMonitoring(this, 'Monitoring', {
      ingestion: this.ingestion,
      key: this.opsKey,
      alarmEmails: config.monitoring.alarmEmails,
      oldestMessageAge: Duration.seconds(config.monitoring.oldestMessageAlarmSeconds),
    });

    this.publicGrants = new TagGrants(this, 'PublicAnalysts', {
      grants: personaGrants(config.personas.public, 'public', departmentIds),
      dependsOn: this.tagDependencies,
    });

    const out = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    const st = this.storage;
    out(
      CORE_OUTPUTS.landingBucket,
      st.landingBucket.bucketName,
      'Departments upload to landing/<department>/<dataset>/',
    );
    out(CORE_OUTPUTS.rawBucket, st.rawBucket.bucketName, 'Originals, byte-identical (raw/)');
    out(CORE_OUTPUTS.curatedBucket, st.curatedBucket.bucketName, 'Published Parquet (curated/)');
    out(
      CORE_OUTPUTS.quarantineBucket,
      st.quarantineBucket.bucketName,
      'Rejected rows (quarantine/) and reports (reports/)',
    );
    out(CORE_OUTPUTS.queryResultsBucket, st.queryResultsBucket.bucketName, 'Athena query results');
    out(
      CORE_OUTPUTS.queryResultsLocation,
      `s3://${st.queryResultsBucket.bucketName}/${QUERY_RESULTS_PREFIX}`,
      'Where the workgroup writes results',
    );
    out(CORE_OUTPUTS.workGroup, this.query.workGroupName, 'Athena workgroup of the analysts');
    out(
      CORE_OUTPUTS.analystPolicyArn,
      this.query.analystPolicy.managedPolicyArn,
      'Attach to analyst principals',
    );
    out(CORE_OUTPUTS.transformerFunction, this.ingestion.transformer.functionName, 'The transformer Lambda');
    out(CORE_OUTPUTS.queueUrl, this.ingestion.queue.queueUrl, 'Uploads waiting for the transformer');
    out(
      CORE_OUTPUTS.deadLetterQueueUrl,
      this.ingestion.deadLetterQueue.queueUrl,
      'Uploads that failed every delivery',
    );
    out(CORE_OUTPUTS.hashKeySecretArn, this.ingestion.hashKeySecret.secretArn, 'Key of protect: hash');
    out(CORE_OUTPUTS.alarmTopicArn, this.monitoring.alarmTopic.topicArn, 'Ingestion alarms');
    out(
      CORE_OUTPUTS.databasePrefix,
      config.catalog.databasePrefix || '-',
      'Glue database name prefix (- for none)',
    );
  }

  /** What a tag association or tag grant must wait for: the LF-tags (which wait for the settings). */
  public get tagDependencies() {
    return [this.lakeFormation.classificationTag, this.lakeFormation.departmentTag];
  }
}
