/**
 * The name and ARN of a department's upload role (and of its portal analyst role), computed the same way
 * in the department stack that creates the role and in the core stack whose bucket and key policies name it. The core stack is deployed
 * first and the department stacks depend on it, so the policies cannot reference the roles; a deterministic
 * name lets them name each role exactly instead of admitting a whole IAM path.
 */
import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** IAM path of the department upload roles: it groups them in the console; no policy admits by it. */
export const DEPARTMENT_ROLE_PATH = '/lake/departments/';
/** IAM's longest role name. */
export const MAX_ROLE_NAME_LENGTH = 64;

/**
 * `<lake>-upload-<department>`, e.g. `Lake-upload-health`. A name over IAM's 64 characters is cut and
 * ends with 8 hex digits of the SHA-256 of the whole name, so it stays unique and the same on every synth.
 */
export function uploadRoleName(lakeName: string, departmentId: string): string {
  return cappedRoleName(`${lakeName}-upload-${departmentId}`);
}

/** `name`, or when over IAM's limit its start and 8 hex digits of its SHA-256. */
export function cappedRoleName(name: string): string {
  if (name.length <= MAX_ROLE_NAME_LENGTH) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_ROLE_NAME_LENGTH - digest.length - 1)}-${digest}`;
}

/** The ARN of a department's upload role, in the partition and account of `scope`'s stack. */
export function uploadRoleArn(scope: IConstruct, lakeName: string, departmentId: string): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: `${DEPARTMENT_ROLE_PATH.slice(1)}${uploadRoleName(lakeName, departmentId)}`,
  });
}

/**
 * `<lake>-portal-analyst-<department>`, e.g. `Lake-portal-analyst-health`: the role the web portal acts as
 * for the department's signed-in analysts (lib/departments/portal-analyst.ts). Cut and made unique as
 * uploadRoleName; under DEPARTMENT_ROLE_PATH too.
 */
export function portalAnalystRoleName(lakeName: string, departmentId: string): string {
  return cappedRoleName(`${lakeName}-portal-analyst-${departmentId}`);
}

/** The ARN of a department's portal analyst role, in the partition and account of `scope`'s stack. */
export function portalAnalystRoleArn(scope: IConstruct, lakeName: string, departmentId: string): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: `${DEPARTMENT_ROLE_PATH.slice(1)}${portalAnalystRoleName(lakeName, departmentId)}`,
  });
}

/**
 * The role session names the portal API opens as a department's upload role or portal analyst role: the
 * CLI's session prefix, `portal-` and the user's opaque Cognito id (src/portal/assume.ts). Those roles
 * trust the portal API's role for sessions named so and no other.
 */
export const PORTAL_SESSION_PREFIX = 'lake-cli-portal-';

/**
 * `<lake>-portal-api`: the portal API Lambda's role, named so the department stacks (deployed after the core
 * stack that creates it) can trust it by ARN without a cross-stack export. Cut and made unique as uploadRoleName.
 */
export function portalApiRoleName(lakeName: string): string {
  return cappedRoleName(`${lakeName}-portal-api`);
}

/** The ARN of the portal API's role, in the partition and account of `scope`'s stack. */
export function portalApiRoleArn(scope: IConstruct, lakeName: string): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: portalApiRoleName(lakeName),
  });
}

/**
 * `<lake>-portal-enterprise`: the role the portal API acts as for a signed-in enterprise (asking through
 * the access API, reading a granted dataset on Athena). Named so the access API's resource policy, the
 * data perimeter and the department stacks' Lake Formation grants can name it exactly. Cut as uploadRoleName.
 */
export function portalEnterpriseRoleName(lakeName: string): string {
  return cappedRoleName(`${lakeName}-portal-enterprise`);
}

/** The ARN of the portal's enterprise role, in the partition and account of `scope`'s stack. */
export function portalEnterpriseRoleArn(scope: IConstruct, lakeName: string): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: portalEnterpriseRoleName(lakeName),
  });
}
