/**
 * Conditional opening in the deployed lake: what the web portal acts as for a signed-in enterprise
 * (Cognito group `enterprise-<name>`, principal `enterprise:<name>`).
 *
 * - One role, `<lake>-portal-enterprise` (portalEnterpriseRoleName), trusted by the portal API's role only,
 *   for sessions named `lake-cli-portal-<user's opaque id>` only. It may call the access API's enterprise
 *   routes (`/enterprises/{name}/requests`, ask and list) and nothing else of it; it queries in a workgroup
 *   of its own, whose results go under `athena/portal-enterprise/` of the results bucket (the data
 *   perimeter names the role among the analysts).
 * - Its Lake Formation ceiling (EnterpriseOpeningGrants, in each department's stack, where the tables are):
 *   SELECT on the tables of `opening: conditional` datasets, on their public columns without personal data
 *   only (named column lists: a personal column may be classified public, so the classification LF-tags
 *   cannot tell them apart), and DESCRIBE on those departments' databases. That is the most any enterprise
 *   may ever be given.
 * - The role holds no grant per enterprise: which enterprise reads which dataset, which columns and until
 *   when is its approved, unexpired request in the access table, which the portal checks before every read
 *   (src/portal/aws-enterprise.ts) and reads only those columns. An enterprise never runs free SQL on AWS:
 *   as one shared role, it could read another enterprise's grant.
 */
import { type CfnResource, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { datasetAccess, grantableColumns } from '../../src/access/policy.ts';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { ACCESS_API_STAGE } from '../access/access-requests.ts';
import { allowWildcards } from '../common/nag.ts';
import { PORTAL_SESSION_PREFIX, portalEnterpriseRoleName } from '../departments/upload-role-name.ts';
import { LakeQuery } from '../query/lake-query.ts';
import type { LakeStorage } from '../storage/lake-storage.ts';

/** The audience of the enterprise role's workgroup (a department id holds no `-`: no department's). */
export const ENTERPRISE_AUDIENCE = 'portal-enterprise';
/** Sid of the statement that lets the role call the access API's enterprise routes. */
export const ENTERPRISE_ROUTES_SID = 'AskAndListForEnterprises';

export interface PortalEnterpriseProps {
  readonly storage: LakeStorage;
  /** The portal API's role, named (portalApiRoleArn): the only principal trusted. */
  readonly portalApiRoleArn: string;
  /** The access API: the role asks and lists there, on the enterprise routes. */
  readonly accessApi: apigw.RestApi;
  /** @default - LakeQuery's */
  readonly bytesScannedCutoffPerQuery?: number;
  /** @default - none */
  readonly databasePrefix?: string;
}

export class PortalEnterprise extends Construct {
  public readonly role: iam.Role;
  public readonly query: LakeQuery;

  constructor(scope: Construct, id: string, props: PortalEnterpriseProps) {
    super(scope, id);
    this.query = new LakeQuery(this, 'Query', {
      storage: props.storage,
      audience: ENTERPRISE_AUDIENCE,
      bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
      databasePrefix: props.databasePrefix,
    });
    this.role = new iam.Role(this, 'Role', {
      description: "Public data lake: the web portal's enterprises (conditionally opened data, as granted)",
      roleName: portalEnterpriseRoleName(Stack.of(this).stackName),
      assumedBy: new iam.ArnPrincipal(props.portalApiRoleArn).withConditions({
        StringLike: { 'sts:RoleSessionName': `${PORTAL_SESSION_PREFIX}*` },
      }),
      managedPolicies: [this.query.analystPolicy],
    });
    const route = (method: string, path: string) =>
      props.accessApi.arnForExecuteApi(method, path, ACCESS_API_STAGE);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: ENTERPRISE_ROUTES_SID,
        actions: ['execute-api:Invoke'],
        resources: [route('POST', '/enterprises/*/requests'), route('GET', '/enterprises/*/requests')],
      }),
    );
    allowWildcards(this.role, {
      finding: /^Resource::.*\/(POST|GET)\/enterprises\/\*\/requests>?$/,
      reason:
        "The portal asks and lists for whichever enterprise its sign-in vouches for: the enterprise's name is the path segment.",
    });
  }

  /**
   * What the portal API's function is told: the role to assume (by name, its ARN built by the function)
   * and the workgroup to query in.
   */
  public get portalConfig(): { roleName: string; workGroup: string } {
    return {
      roleName: portalEnterpriseRoleName(Stack.of(this).stackName),
      workGroup: this.query.workGroupName,
    };
  }

  /** Lets the portal API's role assume this role (its trust admits `lake-cli-portal-*` sessions only). */
  public grantAssume(portalApiRole: iam.IRole): void {
    portalApiRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ActForEnterprises',
        actions: ['sts:AssumeRole'],
        resources: [this.role.roleArn],
      }),
    );
  }
}

/** The columns an enterprise may ever be given of a conditionally opened dataset; null when it is not one. */
export function openingColumns(contract: DatasetContract): string[] | null {
  if (contract.opening?.type !== 'conditional') return null;
  return grantableColumns(datasetAccess(contract), 'opening').map((c) => c.name);
}

export interface EnterpriseOpeningGrantsProps {
  /** The enterprise role's ARN, named (portalEnterpriseRoleArn): it lives in the core stack. */
  readonly roleArn: string;
  /** The department's Glue database. */
  readonly databaseName: string;
  /** The department's contracts: the conditionally opened ones get a grant. */
  readonly datasets: readonly DatasetContract[];
  /** The tables (and database) the grants wait for. */
  readonly dependsOn: readonly CfnResource[];
}

/**
 * The enterprise role's ceiling in one department: SELECT on the public, non-personal columns of each
 * conditionally opened table, by name, and DESCRIBE on the department's database; nothing when the
 * department opens nothing conditionally.
 */
export class EnterpriseOpeningGrants extends Construct {
  public readonly permissions: lakeformation.CfnPrincipalPermissions[] = [];

  constructor(scope: Construct, id: string, props: EnterpriseOpeningGrantsProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    const principal = { dataLakePrincipalIdentifier: props.roleArn };
    for (const contract of props.datasets) {
      const columns = openingColumns(contract);
      if (!columns || columns.length === 0) continue;
      this.permissions.push(
        new lakeformation.CfnPrincipalPermissions(this, `Select-${contract.name}`, {
          catalog: catalogId,
          principal,
          resource: {
            tableWithColumns: {
              catalogId,
              databaseName: props.databaseName,
              name: contract.name,
              columnNames: columns,
            },
          },
          permissions: ['SELECT'],
          permissionsWithGrantOption: [],
        }),
      );
    }
    if (this.permissions.length === 0) return;
    this.permissions.push(
      new lakeformation.CfnPrincipalPermissions(this, 'DescribeDatabase', {
        catalog: catalogId,
        principal,
        resource: { database: { catalogId, name: props.databaseName } },
        permissions: ['DESCRIBE'],
        permissionsWithGrantOption: [],
      }),
    );
    for (const p of this.permissions) for (const d of props.dependsOn) p.addResourceDependency(d);
  }
}
