/**
 * What the portal API's function is told about the lake, split as lambdas/portal-api/config.ts reads it:
 * the names known at synthesis go into a JSON file written beside the handler at bundling
 * (portalApiConfigFile), so the function's environment, which Lambda caps at 4 KB in all, holds only the
 * few values CloudFormation resolves at deploy (portalApiEnvironment) and does not grow with the
 * departments. The role ARNs are built by the function from the account's role ARN prefix and the names.
 */
import { writeFileSync } from 'node:fs';
import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  DEFAULT_CONTRACTS_FILE,
  DEFAULT_PORTAL_API_CONFIG_FILE,
  PORTAL_API_ENV,
  type PortalApiFile,
  type PortalApiFileDepartment,
} from '../../lambdas/portal-api/config.ts';

/** What the stack tells the portal API about the lake. */
export interface PortalLake {
  /** Resolved at deploy (tokens): in the environment. */
  readonly landingBucket: string;
  readonly quarantineBucket: string;
  /** The open-data zone's CloudFront URL, ending in `/`. */
  readonly openDataUrl: string;
  readonly accessTable: string;
  /** Known at synthesis (no token): in the configuration file. The IAM path of the department roles. */
  readonly departmentRolePath: string;
  readonly departments: readonly PortalApiFileDepartment[];
  /** The portal's enterprise role (IAM path `/`) and its workgroup. */
  readonly enterprise?: { readonly roleName: string; readonly workGroup: string };
}

/** The ARN of a role named `name` under IAM path `path`, in the account and partition of `scope`'s stack. */
export function roleArn(scope: IConstruct, path: string, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: `${path.slice(1)}${name}`,
  });
}

/** `arn:<partition>:iam::<account>:role`, from which the function builds the role ARNs. */
export function roleArnPrefix(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'role' });
}

/** `value`, which must be known at synthesis: a token would reach the file as its placeholder text. */
function plain(value: string, what: string): string {
  if (Token.isUnresolved(value))
    throw new Error(
      `the portal API's ${DEFAULT_PORTAL_API_CONFIG_FILE} would hold ${what} as an unresolved token (${value}): it is written at bundling, so the core stack must pass it as a name known at synthesis`,
    );
  return value;
}

/**
 * The configuration file's content: every department's id, name, database, role names and workgroup, and
 * the enterprise role's name and workgroup. Pure; throws when a value is a token.
 */
export function portalApiConfigFile(lake: PortalLake): PortalApiFile {
  const departments = lake.departments.map((d) => {
    const field = (k: keyof PortalApiFileDepartment) => `department ${d.id}'s ${k}`;
    const optional = (k: 'portalAnalystRole' | 'workGroup') =>
      d[k] === undefined ? {} : { [k]: plain(d[k], field(k)) };
    return {
      id: plain(d.id, 'a department id'),
      name: plain(d.name, field('name')),
      database: plain(d.database, field('database')),
      uploadRole: plain(d.uploadRole, field('uploadRole')),
      ...optional('portalAnalystRole'),
      ...optional('workGroup'),
    };
  });
  const e = lake.enterprise;
  return {
    departmentRolePath: plain(lake.departmentRolePath, 'the department role path'),
    departments,
    ...(e
      ? {
          enterprise: {
            roleName: plain(e.roleName, "the enterprise role's name"),
            workGroup: plain(e.workGroup, "the enterprise role's workgroup"),
          },
        }
      : {}),
  };
}

/** Writes `file` where the function reads it (beside the handler, at bundling). */
export function writePortalApiConfig(file: PortalApiFile, outFile: string): void {
  writeFileSync(outFile, `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * The function's environment for `lake`: the files' names and the values resolved at deploy, the same
 * variables whatever the number of departments (PortalApi adds the access API's URL and the log service).
 */
export function portalApiEnvironment(
  scope: IConstruct,
  lake: PortalLake,
  issuer: string,
): Record<string, string> {
  return {
    [PORTAL_API_ENV.configFile]: DEFAULT_PORTAL_API_CONFIG_FILE,
    [PORTAL_API_ENV.contractsFile]: DEFAULT_CONTRACTS_FILE,
    [PORTAL_API_ENV.landingBucket]: lake.landingBucket,
    [PORTAL_API_ENV.quarantineBucket]: lake.quarantineBucket,
    [PORTAL_API_ENV.openDataUrl]: lake.openDataUrl,
    [PORTAL_API_ENV.accessTable]: lake.accessTable,
    [PORTAL_API_ENV.roleArnPrefix]: roleArnPrefix(scope),
    [PORTAL_API_ENV.issuer]: issuer,
  };
}
