/**
 * A department's portal analyst role: what the web portal acts as for the department's signed-in analysts
 * (Cognito group `analyst-<department>`, principal `analyst:<department>`). The portal API's role assumes
 * it in a session named after the user's opaque Cognito id (`lake-cli-portal-<sub>`), and for no other
 * session name; nobody else may assume it.
 *
 * It holds what a lake.yaml analyst of the department holds: the department analysts' managed policy (their
 * Athena workgroup, results under `athena/<department>/`, the catalog's metadata, Lake Formation data
 * access), the department persona's Lake Formation grants (the department's public and internal tables,
 * added to the department's TagGrants), and the analysts' routes of the access API (ask, list, log). The
 * core stack names it, as it names the upload roles, in the query results' bucket and key policies and in
 * the access API's principals. Every portal analyst of the department acts as this one role: a grant
 * approved for one of them is read by the department's other portal analysts too.
 */
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ACCESS_API_STAGE } from '../access/access-requests.ts';
import { CROSS_DEPARTMENT_SHARING, personaGrants, type TagGrant } from '../access/tag-grants.ts';
import { PORTAL_SESSION_PREFIX } from './upload-role-name.ts';

/** Sid of the statement that lets the role call the access API's analyst routes. */
export const PORTAL_ANALYST_ROUTES_SID = 'AskAndListAccessRequests';

export interface PortalAnalystProps {
  readonly departmentId: string;
  /** The role's name (portalAnalystRoleName): the core stack's policies name the role by it. */
  readonly roleName: string;
  /** The role's IAM path (DEPARTMENT_ROLE_PATH). */
  readonly rolePath: string;
  /** The portal API's role, named (portalApiRoleArn): the only principal trusted. */
  readonly portalApiRoleArn: string;
  /** The department analysts' managed policy (LakeQuery.analystPolicy). */
  readonly analystPolicy: iam.IManagedPolicy;
  /** The access API: the role asks for access and lists its requests there, as an analyst persona. */
  readonly accessApi: apigw.RestApi;
  /**
   * Every department of the lake: the role reads their unconditionally shared tables too, as a government
   * analyst does in the local lake (src/access/policy.ts), so the SQL page lists what it may query.
   */
  readonly departments: readonly string[];
}

export class PortalAnalyst extends Construct {
  public readonly role: iam.Role;
  private readonly departmentId: string;
  private readonly departments: readonly string[];
  private readonly key: string;

  constructor(scope: Construct, id: string, props: PortalAnalystProps) {
    super(scope, id);
    this.departmentId = props.departmentId;
    this.departments = props.departments;
    this.key = `${props.rolePath}${props.roleName}`;
    this.role = new iam.Role(this, 'Role', {
      description: `Public data lake: the web portal's analysts of ${props.departmentId}`.slice(0, 1000),
      roleName: props.roleName,
      path: props.rolePath,
      assumedBy: new iam.ArnPrincipal(props.portalApiRoleArn).withConditions({
        StringLike: { 'sts:RoleSessionName': `${PORTAL_SESSION_PREFIX}*` },
      }),
      managedPolicies: [props.analystPolicy],
    });
    const route = (method: string, path: string) =>
      props.accessApi.arnForExecuteApi(method, path, ACCESS_API_STAGE);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: PORTAL_ANALYST_ROUTES_SID,
        actions: ['execute-api:Invoke'],
        resources: [route('POST', '/requests'), route('GET', '/requests'), route('GET', '/log')],
      }),
    );
  }

  /**
   * The role's Lake Formation grants: its department's public and internal tables (the department
   * persona's), and every department's tables shared unconditionally, their columns but restricted ones
   * (what the local lake lets analyst:<department> read without asking); conditional tables come with
   * access requests.
   */
  public grants(): TagGrant[] {
    const arn = this.role.roleArn;
    return [
      ...personaGrants([arn], 'department', [this.departmentId]),
      ...personaGrants([arn], 'department', this.departments, { sharing: CROSS_DEPARTMENT_SHARING }),
    ].map((g) => ({ ...g, key: this.key }));
  }
}
