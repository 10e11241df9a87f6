/**
 * Athena for one audience of analysts: a workgroup whose configuration clients cannot override (results
 * in the lake's results bucket under `athena/<audience>/`, KMS-encrypted, a bytes-scanned cutoff per
 * query), and the managed policy an analyst of that audience needs to use it. What an analyst sees is
 * decided by Lake Formation; the workgroup keeps one audience's results (which may hold restricted
 * columns) away from another's: each policy reaches its own workgroup and results prefix only, and no two
 * LakeQuery share a results prefix of the same bucket (synth refuses it, naming both).
 */
import { Names, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
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
/** Joins a department id and the restricted suffix: a department id cannot contain it (src/contracts). */
export const AUDIENCE_SEPARATOR = '-';

/**
 * The audiences of a department's two workgroups: its id as it is (`health`, `health_restricted`) and the
 * id, AUDIENCE_SEPARATOR and `restricted` (`health-restricted`). Department ids hold no `-`, so no
 * department's audience is another's restricted one.
 */
export function departmentAudiences(departmentId: string): { analysts: string; restricted: string } {
  if (departmentId.includes(AUDIENCE_SEPARATOR)) {
    throw new Error(
      `department id "${departmentId}" contains "${AUDIENCE_SEPARATOR}", which separates a department from its restricted audience; use _ instead.`,
    );
  }
  return { analysts: departmentId, restricted: `${departmentId}${AUDIENCE_SEPARATOR}restricted` };
}

/** The results prefixes taken in each results bucket, with the construct path of the LakeQuery that took each. */
const prefixesTaken = new WeakMap<s3.IBucket, Map<string, string>>();

/** Takes `prefix` of `bucket` for `owner`; returns the path of the LakeQuery that already has it, if one does. */
function takePrefix(bucket: s3.IBucket, prefix: string, owner: string): string | undefined {
  const taken = prefixesTaken.get(bucket) ?? new Map<string, string>();
  prefixesTaken.set(bucket, taken);
  const other = taken.get(prefix);
  if (other === undefined) taken.set(prefix, owner);
  return other;
}

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
  /**
   * The workgroup's name, when another stack must know it before this one exists (a department's
   * workgroups, named by lib/departments/department-stacks.ts).
   * @default - from the construct path: unique in the app, with a hash of the path
   */
  readonly workGroupName?: string;
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
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(audience)) {
      throw new Error(
        `LakeQuery audience "${audience}" must be lowercase letters, digits, _ and - (e.g. health-restricted).`,
      );
    }
    this.audience = audience;
    this.resultsPrefix = `${QUERY_RESULTS_PREFIX}${audience}/`;
    const stack = Stack.of(this);
    const { storage } = props;
    this.workGroupName =
      props.workGroupName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }).toLowerCase();
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(this.workGroupName))
      throw new Error(
        `LakeQuery workgroup name "${this.workGroupName}" must be 1 to 128 letters, digits, ., _ and -.`,
      );
    // The workgroup name is given or comes from the construct path (unique in the app, with a hash of
    // it); the results prefix from the audience, which two workgroups could be given.
    const sharesPrefix = takePrefix(storage.queryResultsBucket, this.resultsPrefix, this.node.path);
    if (sharesPrefix !== undefined) {
      throw new Error(
        `LakeQuery ${this.node.path} and ${sharesPrefix} would both keep their results under ${this.resultsPrefix} (audience "${audience}"), so each audience would read the other's results: give each its own audience (a department cannot be called "${PUBLIC_AUDIENCE}", the public analysts' audience).`,
      );
    }
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
