/**
 * Athena for one audience of analysts: a workgroup whose configuration clients cannot override (results
 * in the lake's results bucket under `athena/<audience>/`, KMS-encrypted, a bytes-scanned cutoff per
 * query), and the managed policy an analyst of that audience needs to use it. What an analyst sees is
 * decided by Lake Formation; the workgroup keeps one audience's results (which may hold restricted
 * columns) away from another's: each policy reaches its own workgroup and results prefix only.
 */
import { Names, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { QUERY_RESULTS_PREFIX } from '../../src/lake/layout.ts';
import { dataRemovalPolicy } from '../common/context.ts';
import { allowWildcards, objectPrefixEvidence } from '../common/nag.ts';
import { LAKE_DEFAULTS } from '../config/lake-config.ts';
import type { LakeStorage } from '../storage/lake-storage.ts';

/** Athena's engine for the workgroup. */
export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';

/** The audience of the workgroup every analyst of public data uses. */
export const PUBLIC_AUDIENCE = 'public';

export interface LakeQueryProps {
  readonly storage: LakeStorage;
  /**
   * Who queries here (e.g. `health`, `health-restricted`): names the results prefix.
   * @default - PUBLIC_AUDIENCE
   */
  readonly audience?: string;
  /**
   * Athena cancels a query after scanning this many bytes.
   * @default - LAKE_DEFAULTS.bytesScannedCutoffPerQuery (10 GiB)
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /**
   * Prefix of the lake's Glue database names (the analyst policy's catalog scope).
   * @default - none
   */
  readonly databasePrefix?: string;
}

export class LakeQuery extends Construct {
  public readonly workGroup: athena.CfnWorkGroup;
  public readonly workGroupName: string;
  public readonly audience: string;
  /** Where this workgroup's results go, e.g. `athena/public/`. */
  public readonly resultsPrefix: string;
  /** Attach to analyst principals: query through the workgroup, read the catalog, get data via Lake Formation. */
  public readonly analystPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: LakeQueryProps) {
    super(scope, id);
    const cutoff = props.bytesScannedCutoffPerQuery ?? LAKE_DEFAULTS.bytesScannedCutoffPerQuery;
    if (!Number.isSafeInteger(cutoff) || cutoff < 10_000_000) {
      throw new Error(
        `LakeQuery bytesScannedCutoffPerQuery is ${cutoff}; Athena needs a whole number of at least 10000000 bytes.`,
      );
    }
    const audience = props.audience ?? PUBLIC_AUDIENCE;
    if (!/^[a-z0-9][a-z0-9-]*$/.test(audience)) {
      throw new Error(
        `LakeQuery audience "${audience}" must be lowercase letters, digits and - (e.g. health-restricted).`,
      );
    }
    this.audience = audience;
    this.resultsPrefix = `${QUERY_RESULTS_PREFIX}${audience}/`;
    const stack = Stack.of(this);
    const { storage } = props;
    this.workGroupName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }).toLowerCase();
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `Public data lake: ${audience} analysts query the curated datasets here`,
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: cutoff,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        resultConfiguration: {
          outputLocation: `s3://${storage.queryResultsBucket.bucketName}/${this.resultsPrefix}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: storage.queryKey.keyArn },
          expectedBucketOwner: stack.account,
          aclConfiguration: { s3AclOption: 'BUCKET_OWNER_FULL_CONTROL' },
        },
      },
    });
    this.workGroup.applyRemovalPolicy(dataRemovalPolicy(this, 'the Athena workgroup'));

    const prefix = props.databasePrefix ?? '';
    const glueArn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName });
    this.analystPolicy = new iam.ManagedPolicy(this, 'AnalystPolicy', {
      description: `Public data lake: query as ${audience} analysts (Lake Formation decides what is seen)`,
      statements: [
        new iam.PolicyStatement({
          sid: 'UseWorkGroup',
          actions: [
            'athena:StartQueryExecution',
            'athena:StopQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:GetQueryResultsStream',
            'athena:GetQueryRuntimeStatistics',
            'athena:BatchGetQueryExecution',
            'athena:ListQueryExecutions',
            'athena:GetWorkGroup',
          ],
          resources: [
            stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'ReadCatalog',
          actions: [
            'glue:GetCatalog',
            'glue:GetDatabase',
            'glue:GetDatabases',
            'glue:GetTable',
            'glue:GetTables',
            'glue:GetPartition',
            'glue:GetPartitions',
            'glue:BatchGetPartition',
            'glue:SearchTables',
          ],
          resources: [
            glueArn('catalog'),
            glueArn('database', `${prefix}*`),
            glueArn('table', `${prefix}*/*`),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'LakeFormationDataAccess',
          actions: ['lakeformation:GetDataAccess'],
          resources: ['*'],
        }),
      ],
    });
    for (const statement of storage.queryResultsStatements(this.resultsPrefix)) {
      this.analystPolicy.addStatements(statement);
    }
    allowWildcards(
      this.analystPolicy,
      objectPrefixEvidence(
        this.resultsPrefix,
        "Athena names each result file by query id, under this workgroup's own location.",
      ),
      {
        finding: /^Resource::\*$/,
        reason:
          'lakeformation:GetDataAccess supports no resource but *; Lake Formation grants decide the data.',
      },
      {
        finding: /^Resource::arn:<AWS::Partition>:glue:.+:(database|table)\/[a-z0-9_]*\*(\/\*)?$/,
        reason:
          "Catalog reads cover the lake's databases (by prefix); Lake Formation decides which ones an analyst sees.",
      },
    );
  }
}
