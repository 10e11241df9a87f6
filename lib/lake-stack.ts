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
import { AccessRequests } from './access/access-requests.ts';
import { LakeFormationSetup } from './access/lake-formation.ts';
import { CROSS_DEPARTMENT_SHARING, personaGrants, TagGrants } from './access/tag-grants.ts';
import { databaseName } from './catalog/department-catalog.ts';
import { dataRemovalPolicy } from './common/context.ts';
import type { LakeInputs } from './config/inputs.ts';
import { analystPrincipals } from './config/lake-config.ts';
import { analystWorkGroupName } from './departments/department-stacks.ts';
import {
  DEPARTMENT_ROLE_PATH,
  portalAnalystRoleArn,
  portalAnalystRoleName,
  portalEnterpriseRoleArn,
  portalEnterpriseRoleName,
  uploadRoleArn,
  uploadRoleName,
} from './departments/upload-role-name.ts';
import { LakeIngestion } from './ingestion/ingestion.ts';
import { FreshnessCheck } from './monitoring/freshness-check.ts';
import { LakeMonitoring } from './monitoring/lake-monitoring.ts';
import { OpenData, openDataForTransformer } from './open/open-data.ts';
import { Portal, portalWanted } from './portal/portal.ts';
import { LakeQuery } from './query/lake-query.ts';
import { BrowserUploads } from './storage/browser-uploads.ts';
import { LakeStorage } from './storage/lake-storage.ts';

export interface LakeStackProps extends StackProps {
  readonly inputs: LakeInputs;
  /**
   * The transformer's handler source.
   * @default - lambdas/transformer/handler.ts
   */
  readonly transformerEntry?: string;
  /**
   * The portal API's handler source.
   * @default - lambdas/portal-api/handler.ts
   */
  readonly portalApiEntry?: string;
  /**
   * The built portal web app.
   * @default - where scripts/build-portal.mjs builds it (lib/portal/portal-site.ts)
   */
  readonly portalWebDir?: string;
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
  /** The daily count of datasets overdue for an update (lib/monitoring/freshness-check.ts). */
  public readonly freshness: FreshnessCheck;
  /** The open-data zone: its bucket and CloudFront distribution (lib/open). */
  public readonly openData: OpenData;
  public readonly publicGrants: TagGrants;
  public readonly access: AccessRequests;
  /** The web portal: sign-in, API and CloudFront site (lib/portal); undefined when lake.yaml switches it off. */
  public readonly portal?: Portal;

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

    this.freshness = new FreshnessCheck(this, 'Freshness', {
      storage: this.storage,
      departments: departmentIds,
      logEncryptionKey: this.opsKey,
      writeContractsBundle: datasetsDir ? (outFile) => writeContractsBundle(datasetsDir, outFile) : undefined,
    });

    this.openData = new OpenData(this, 'OpenData', {
      accessLogsBucket: this.storage.accessLogsBucket,
      noncurrentVersionExpiration: days(s.noncurrentVersionExpirationDays),
    });
    openDataForTransformer(this.openData, this.ingestion, { ...inputs, admins: config.lakeFormation.admins });

    this.lakeFormation = new LakeFormationSetup(this, 'LakeFormation', {
      storage: this.storage,
      departments: departmentIds,
      admins,
    });

    // The web portal (lib/portal), unless lake.yaml switches it off (portal.enabled: false). With it, each
    // department has a portal analyst role (lib/departments/portal-analyst.ts): an analyst like lake.yaml's.
    const portalOn = portalWanted(this, config.portal.enabled);
    const portalAnalysts = portalOn
      ? inputs.departments.map((d) => ({
          department: d.id,
          name: portalAnalystRoleName(this.stackName, d.id),
          arn: portalAnalystRoleArn(this, this.stackName, d.id),
        }))
      : [];

    // Department upload roles are named, not referenced: they live in the department stacks.
    this.storage.restrictDataAccess({
      transformer: this.ingestion.transformerRole,
      curatedReaders: [this.lakeFormation.dataAccessRole],
      departmentRoles: inputs.departments.map((d) => uploadRoleArn(this, this.stackName, d.id)),
      analysts: [
        ...analystPrincipals(config),
        ...portalAnalysts.map((a) => a.arn),
        // The portal's enterprise role reads granted data on Athena (lib/portal/portal-enterprise.ts).
        ...(portalOn ? [portalEnterpriseRoleArn(this, this.stackName)] : []),
      ],
      admins,
      erasure: this.ingestion.erasure.role,
      reportReaders: [this.freshness.role],
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
      freshness: { check: this.freshness, departments: departmentIds },
    });

    // Sharing through access requests: the requests table, the access API and its grants (and their expiry).
    this.access = new AccessRequests(this, 'Access', {
      datasets: inputs.datasets,
      principals: {
        stewards: Object.fromEntries(
          inputs.departments.map((d) => [d.id, uploadRoleName(this.stackName, d.id)]),
        ),
        stewardPath: DEPARTMENT_ROLE_PATH,
        analysts: [
          ...config.personas.public.map((arn) => ({ arn, department: null })),
          ...Object.entries(config.departments).flatMap(([department, p]) =>
            [...p.analysts, ...p.restricted].map((arn) => ({ arn, department })),
          ),
        ],
        // Named like the stewards (path and name): the bundle is written at synthesis, without tokens.
        ...(portalOn
          ? { portalAnalysts: Object.fromEntries(portalAnalysts.map((a) => [a.department, a.name])) }
          : {}),
        // The portal asks for enterprises as its enterprise role, on the enterprise routes only.
        ...(portalOn ? { enterprise: portalEnterpriseRoleName(this.stackName) } : {}),
      },
      key: this.opsKey,
      databasePrefix: config.catalog.databasePrefix,
      tagDependencies: this.tagDependencies,
      removalPolicy: dataRemovalPolicy(this, 'the access requests table'),
    });

    this.publicGrants = new TagGrants(this, 'PublicAnalysts', {
      // Across departments: only what is shared unconditionally; conditional tables through access requests.
      grants: personaGrants(config.personas.public, 'public', departmentIds, {
        sharing: CROSS_DEPARTMENT_SHARING,
      }),
      dependsOn: this.tagDependencies,
    });

    const portal = config.portal;
    // As the department stacks will name them (lib/departments/department-stacks.ts).
    const workGroups = new Map(
      inputs.departments.map((d) => [d.id, analystWorkGroupName(this.stackName, d.id)]),
    );
    this.portal = portalOn
      ? new Portal(this, 'Portal', {
          accessLogsBucket: this.storage.accessLogsBucket,
          openData: this.openData.distribution,
          accessTable: this.access.table,
          key: this.opsKey,
          lake: {
            landingBucket: this.storage.landingBucket.bucketName,
            quarantineBucket: this.storage.quarantineBucket.bucketName,
            openDataUrl: this.openData.baseUrl,
            accessTable: this.access.table.tableName,
            // Names: the API's configuration file is written at bundling, before the department stacks.
            departmentRolePath: DEPARTMENT_ROLE_PATH,
            departments: inputs.departments.map((d) => ({
              id: d.id,
              name: d.name,
              database: databaseName(config.catalog.databasePrefix, d.id),
              uploadRole: uploadRoleName(this.stackName, d.id),
              portalAnalystRole: portalAnalystRoleName(this.stackName, d.id),
              workGroup: workGroups.get(d.id),
            })),
          },
          writeContractsBundle: datasetsDir
            ? (outFile) => writeContractsBundle(datasetsDir, outFile)
            : undefined,
          apiEntry: props.portalApiEntry,
          webDir: props.portalWebDir,
          domainPrefix: portal.domainPrefix,
          threatProtection: portal.threatProtection,
          webAclId: portal.webAclId,
          tagDependencies: this.tagDependencies,
          enterprise: {
            storage: this.storage,
            accessApi: this.access.api,
            bytesScannedCutoffPerQuery: config.query.bytesScannedCutoffPerQuery,
            databasePrefix: config.catalog.databasePrefix,
          },
        })
      : undefined;
    // A steward's upload page sends its file straight to landing: the bucket's CORS allows the portal.
    if (this.portal)
      new BrowserUploads(this, 'PortalUploads', {
        bucket: this.storage.landingBucket,
        origin: this.portal.site.origin,
      });
    // A steward's decisions in the deployed portal go to the access API, as `lake access approve` does.
    this.portal?.api.useAccessApi(this.access.api.url);

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
    out(
      CORE_OUTPUTS.erasureRoleArn,
      this.ingestion.erasure.role.roleArn,
      'The role lake erase assumes (lake admins only)',
    );
    out(CORE_OUTPUTS.openDataUrl, this.openData.baseUrl, 'The open-data zone (CloudFront): catalog.jsonld');
    out(CORE_OUTPUTS.openDataBucket, this.openData.bucket.bucketName, 'Bucket of the open-data zone (open/)');
    out(CORE_OUTPUTS.alarmTopicArn, this.monitoring.alarmTopic.topicArn, 'Ingestion alarms');
    out(
      CORE_OUTPUTS.databasePrefix,
      config.catalog.databasePrefix || '-',
      'Glue database name prefix (- for none)',
    );
    if (this.portal) {
      const p = this.portal;
      out(CORE_OUTPUTS.portalUrl, p.site.url, 'The web portal (CloudFront)');
      out(
        CORE_OUTPUTS.portalUserPoolId,
        p.signIn.userPool.userPoolId,
        'Portal users: add them to steward-/analyst-<department> groups (enterprises: enterprise-<name>, docs/portal.md)',
      );
      out(CORE_OUTPUTS.portalClientId, p.client.userPoolClientId, 'The portal web app client');
      out(CORE_OUTPUTS.portalSignInUrl, p.signIn.hostedUiUrl, 'The portal hosted sign-in');
    }
  }

  /** What a tag association or tag grant must wait for: the LF-tags (which wait for the settings). */
  public get tagDependencies() {
    return [
      this.lakeFormation.classificationTag,
      this.lakeFormation.departmentTag,
      this.lakeFormation.sharingTag,
    ];
  }
}
