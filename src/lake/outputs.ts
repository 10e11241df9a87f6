/**
 * The stack outputs the CLI reads (`cdk deploy --all --outputs-file outputs.json`), and a reader for that
 * file. No CDK import here: the CLI uses this module at run time.
 */

/** Output keys of the core stack. */
export const CORE_OUTPUTS = {
  landingBucket: 'LandingBucket',
  rawBucket: 'RawBucket',
  curatedBucket: 'CuratedBucket',
  quarantineBucket: 'QuarantineBucket',
  queryResultsBucket: 'QueryResultsBucket',
  queryResultsLocation: 'QueryResultsLocation',
  /** The workgroup (and policy) of analysts of public data. */
  workGroup: 'WorkGroup',
  analystPolicyArn: 'AnalystPolicyArn',
  transformerFunction: 'TransformerFunction',
  queueUrl: 'QueueUrl',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  hashKeySecretArn: 'HashKeySecretArn',
  /** The role `lake erase` assumes (a lake admin's). */
  erasureRoleArn: 'ErasureRoleArn',
  alarmTopicArn: 'AlarmTopicArn',
  databasePrefix: 'DatabasePrefix',
  /** The access API (requests, decisions, audit log): empty in a lake deployed before sharing came. */
  accessApiUrl: 'AccessApiUrl',
  /** The open-data zone's CloudFront URL (stands for open/) and its bucket: empty in a lake deployed before it. */
  openDataUrl: 'OpenDataUrl',
  openDataBucket: 'OpenDataBucket',
  /** The web portal (CloudFront URL), its Cognito user pool, web client and hosted sign-in: empty in a lake deployed before it. */
  portalUrl: 'PortalUrl',
  portalUserPoolId: 'PortalUserPoolId',
  portalClientId: 'PortalClientId',
  portalSignInUrl: 'PortalSignInUrl',
} as const;

/** Output of each department stack: one JSON document per department, keyed `Department<PascalId>`. */
export const DEPARTMENT_OUTPUT_PREFIX = 'Department';

/** What a department output's JSON holds. */
export interface DepartmentOutput {
  id: string;
  database: string;
  uploadRoleArn: string;
  reportsTopicArn: string;
  /** Workgroup and managed policy of the department's analysts (public and internal data). */
  workGroup: string;
  analystPolicyArn: string;
  /** Workgroup and managed policy of those who also read its restricted columns. */
  restrictedWorkGroup: string;
  restrictedAnalystPolicyArn: string;
}

export interface LakeOutputs {
  core: Record<keyof typeof CORE_OUTPUTS, string>;
  departments: Record<string, DepartmentOutput>;
}

/** `health_care` -> `HealthCare`: an output key may hold letters and digits only. */
export function pascalId(id: string): string {
  return id
    .split('_')
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

/**
 * Reads the JSON that `cdk deploy --all --outputs-file` writes (stack name -> output key -> value): the core
 * stack is the one with a LandingBucket output; every `Department*` output is a department.
 */
export function readLakeOutputs(outputs: Record<string, Record<string, string>>): LakeOutputs {
  const core = Object.values(outputs).find((o) => CORE_OUTPUTS.landingBucket in o);
  if (!core)
    throw new Error(
      `no stack in the outputs file has a ${CORE_OUTPUTS.landingBucket} output; deploy the lake first`,
    );
  const departments: Record<string, DepartmentOutput> = {};
  for (const stackOutputs of Object.values(outputs)) {
    for (const [key, value] of Object.entries(stackOutputs)) {
      if (!key.startsWith(DEPARTMENT_OUTPUT_PREFIX)) continue;
      const d = JSON.parse(value) as DepartmentOutput;
      departments[d.id] = d;
    }
  }
  const coreOutputs = Object.fromEntries(
    Object.entries(CORE_OUTPUTS).map(([name, key]) => [name, core[key] ?? '']),
  ) as LakeOutputs['core'];
  return { core: coreOutputs, departments };
}
