/**
 * The portal API's configuration (set by lib/portal/portal-api.ts), in two parts, because Lambda allows a
 * function 4 KB of environment variables in all and a province has tens of departments:
 *
 * - a JSON file beside the handler, written at bundling (as the contracts bundle): what is known as plain
 *   text at synthesis, however many departments there are (their ids, names, databases, role names and
 *   analysts' workgroups; the enterprise role's name and workgroup);
 * - the environment: the few values CloudFormation resolves at deploy (bucket and table names, URLs, the
 *   account's role ARN prefix), the same few whatever the number of departments.
 *
 * readPortalApiConfig merges them into the AwsPortalConfig that src/portal/aws-services.ts reads, the role
 * ARNs built from the prefix, the role path and the names.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { AwsPortalConfig, AwsPortalDepartment } from '../../src/portal/aws-services.ts';

export const PORTAL_API_ENV = {
  /** The configuration file beside the handler (PortalApiFile). */
  configFile: 'PORTAL_CONFIG_FILE',
  landingBucket: 'PORTAL_LANDING_BUCKET',
  quarantineBucket: 'PORTAL_QUARANTINE_BUCKET',
  /** The open-data zone's CloudFront URL, ending in `/`. */
  openDataUrl: 'PORTAL_OPEN_DATA_URL',
  /** The access requests table. */
  accessTable: 'PORTAL_ACCESS_TABLE',
  /** `arn:<partition>:iam::<account>:role`: the roles' ARNs are it, their path and their name. */
  roleArnPrefix: 'PORTAL_ROLE_ARN_PREFIX',
  /** The contracts bundle beside the handler. */
  contractsFile: 'PORTAL_CONTRACTS_FILE',
  /** The user pool's issuer URL (`https://cognito-idp.<region>.<suffix>/<pool id>`). */
  issuer: 'PORTAL_ISSUER',
  /** The access API's base URL (the stack's AccessApiUrl): a steward's decisions go there. */
  accessApiUrl: 'PORTAL_ACCESS_API_URL',
} as const;

/** The header the portal's CloudFront function sets to the Host the viewer asked for. */
export const VIEWER_HOST_HEADER = 'x-lake-viewer-host';

/** The contracts bundle's file name, written beside the handler at bundling. */
export const DEFAULT_CONTRACTS_FILE = 'contracts.json';

/**
 * The configuration file's name, written beside the handler at bundling (not the web app's
 * `portal-config.json`, which the site's bucket serves to browsers).
 */
export const DEFAULT_PORTAL_API_CONFIG_FILE = 'portal-api-config.json';

/** A department in the configuration file: names only, the ARNs are built with the environment's prefix. */
export interface PortalApiFileDepartment {
  id: string;
  name: string;
  database: string;
  /** The upload role's name (under departmentRolePath). */
  uploadRole: string;
  /** The portal analyst role's name (under departmentRolePath) and the analysts' workgroup. */
  portalAnalystRole?: string;
  workGroup?: string;
}

/** The configuration file's content. */
export interface PortalApiFile {
  /** The IAM path of the department roles, e.g. `/lake/departments/`. */
  departmentRolePath: string;
  departments: PortalApiFileDepartment[];
  /** The portal's enterprise role (IAM path `/`) and its workgroup; absent without enterprises. */
  enterprise?: { roleName: string; workGroup: string };
}

export interface PortalApiConfig {
  lake: AwsPortalConfig;
  contractsFile: string;
  /** Absent: tokens sent to the public routes are not read. */
  issuer: string | null;
  /** Absent: a steward's decisions answer 501 with the CLI command. */
  accessApiUrl: string | null;
}

const ROLE_ARN_PREFIX = /^arn:[a-z-]+:iam::\d{12}:role$/;
const ROLE_PATH = /^\/([\w+=,.@-]+\/)*$/;

/** `value`, when it is a non-empty string; else the error says which key of `where` lacks it. */
function text(value: unknown, key: string, where: string): string {
  if (typeof value !== 'string' || !value) throw new Error(`${where} has no ${key}`);
  return value;
}

/**
 * The lake as AwsPortalConfig, from the configuration file's content (`file`, read from `path`: named in
 * the errors) and the environment.
 */
export function portalLakeConfig(
  file: unknown,
  env: Readonly<Record<string, string | undefined>>,
  path: string,
): AwsPortalConfig {
  const fromEnv = (key: keyof typeof PORTAL_API_ENV) =>
    text(env[PORTAL_API_ENV[key]], PORTAL_API_ENV[key], "the portal API's environment");
  const where = `the portal API's configuration file ${path}`;
  const prefix = fromEnv('roleArnPrefix');
  if (!ROLE_ARN_PREFIX.test(prefix))
    throw new Error(`${PORTAL_API_ENV.roleArnPrefix} is ${prefix}, not arn:<partition>:iam::<account>:role`);
  const f = (file ?? {}) as Partial<PortalApiFile>;
  const rolePath = text(f.departmentRolePath, 'departmentRolePath', where);
  if (!ROLE_PATH.test(rolePath))
    throw new Error(`${where} has departmentRolePath ${rolePath}, not an IAM path`);
  if (!Array.isArray(f.departments)) throw new Error(`${where} has no departments`);
  const departments = f.departments.map((d: Partial<PortalApiFileDepartment>, i): AwsPortalDepartment => {
    const key = (k: keyof PortalApiFileDepartment) => `departments[${i}].${k}`;
    const optional = (k: 'portalAnalystRole' | 'workGroup') =>
      d[k] === undefined ? undefined : text(d[k], key(k), where);
    const analystRole = optional('portalAnalystRole');
    const workGroup = optional('workGroup');
    return {
      id: text(d.id, key('id'), where),
      name: text(d.name, key('name'), where),
      database: text(d.database, key('database'), where),
      uploadRoleArn: `${prefix}${rolePath}${text(d.uploadRole, key('uploadRole'), where)}`,
      ...(analystRole ? { portalAnalystRoleArn: `${prefix}${rolePath}${analystRole}` } : {}),
      ...(workGroup ? { workGroup } : {}),
    };
  });
  const e = f.enterprise;
  return {
    landingBucket: fromEnv('landingBucket'),
    quarantineBucket: fromEnv('quarantineBucket'),
    openDataUrl: fromEnv('openDataUrl'),
    accessTable: fromEnv('accessTable'),
    departments,
    ...(e === undefined
      ? {}
      : {
          enterprise: {
            roleArn: `${prefix}/${text(e?.roleName, 'enterprise.roleName', where)}`,
            workGroup: text(e?.workGroup, 'enterprise.workGroup', where),
          },
        }),
  };
}

/**
 * The portal API's configuration: its file (PORTAL_CONFIG_FILE, a path relative to `dir`, the handler's
 * directory) and its environment. Throws, naming the file or the variable, when either lacks something.
 */
export function readPortalApiConfig(
  env: Readonly<Record<string, string | undefined>>,
  dir: string,
): PortalApiConfig {
  const name = env[PORTAL_API_ENV.configFile] || DEFAULT_PORTAL_API_CONFIG_FILE;
  const path = isAbsolute(name) ? name : resolve(dir, name);
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(
      `the portal API's configuration file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): it is written beside the handler at bundling (lib/portal/portal-api.ts); deploy the stack again with bundling on`,
    );
  }
  let file: unknown;
  try {
    file = JSON.parse(content);
  } catch (e) {
    throw new Error(`the portal API's configuration file ${path} is not JSON: ${(e as Error).message}`);
  }
  return {
    lake: portalLakeConfig(file, env, path),
    contractsFile: env[PORTAL_API_ENV.contractsFile] || DEFAULT_CONTRACTS_FILE,
    issuer: env[PORTAL_API_ENV.issuer] || null,
    accessApiUrl: env[PORTAL_API_ENV.accessApiUrl] || null,
  };
}
