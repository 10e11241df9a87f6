/** The access API's configuration, from its environment (set by lib/access/access-requests.ts). */

export const ACCESS_API_ENV = {
  table: 'ACCESS_TABLE',
  datasetsFile: 'ACCESS_DATASETS_FILE',
  databasePrefix: 'ACCESS_DATABASE_PREFIX',
  schedulerRoleArn: 'ACCESS_SCHEDULER_ROLE_ARN',
  scheduleGroup: 'ACCESS_SCHEDULE_GROUP',
} as const;

/** The datasets' access facts and the principals (AccessBundle), written beside the handler at bundling. */
export const DEFAULT_DATASETS_FILE = 'access-datasets.json';

/** Who may call the API, as lake.yaml and departments.yaml make them. */
export interface AccessPrincipals {
  /** Per department, the name of the role its steward acts as (the department's upload role). */
  stewards: Record<string, string>;
  /** The IAM path of the steward roles, e.g. `/lake/departments/`. */
  stewardPath: string;
  /** Analyst personas: their role ARN and department (null: the public persona, of no department). */
  analysts: { arn: string; department: string | null }[];
  /**
   * Per department, the name of the role the web portal acts as for its analysts (under stewardPath, like
   * the stewards' roles): an analyst persona of that department. Absent: no portal.
   */
  portalAnalysts?: Record<string, string>;
  /**
   * The name of the portal's enterprise role (`<lake>-portal-enterprise`), which alone calls the
   * `/enterprises/{name}/…` routes, for the enterprise the portal's sign-in vouches for. Absent: no portal,
   * and no enterprise asks.
   */
  enterprise?: string;
}

/** What the function's bundle holds beside the handler (written at synth: no CloudFormation tokens). */
export interface AccessBundle {
  datasets: import('../../src/access/policy.ts').DatasetAccess[];
  principals: AccessPrincipals;
}

export interface AccessApiConfig {
  table: string;
  datasetsFile: string;
  databasePrefix: string;
  schedulerRoleArn: string;
  scheduleGroup: string;
}

export function readAccessApiConfig(env: Readonly<Record<string, string | undefined>>): AccessApiConfig {
  const need = (k: string): string => {
    const v = env[k];
    if (v === undefined) throw new Error(`the access API needs ${k} in its environment`);
    return v;
  };
  return {
    table: need(ACCESS_API_ENV.table),
    datasetsFile: env[ACCESS_API_ENV.datasetsFile] || DEFAULT_DATASETS_FILE,
    databasePrefix: env[ACCESS_API_ENV.databasePrefix] ?? '',
    schedulerRoleArn: need(ACCESS_API_ENV.schedulerRoleArn),
    scheduleGroup: need(ACCESS_API_ENV.scheduleGroup),
  };
}
