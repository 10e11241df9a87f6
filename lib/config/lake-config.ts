/**
 * The lake's own configuration (`lake.yaml`): what departments.yaml and the contracts do not say —
 * Lake Formation administrators, analyst personas, the Glue database prefix, retention periods, the
 * transformer's sizing, alarm recipients and how departments are grouped into stacks.
 *
 * Every key is optional: a missing file or an empty one is a lake with the defaults below, which are
 * named constants so the docs and the tests refer to the same numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ContractError, type ContractIssue } from '../../src/contracts/errors.ts';
import type { Department } from '../../src/contracts/schema.ts';
import { locateIssues, parseYaml } from '../../src/contracts/yaml-positions.ts';

export const LAKE_DEFAULTS = {
  /** Glue database names are `<prefix><department>`. */
  databasePrefix: '',
  /** First day of the `ingest_date` partition projection of append tables. */
  projectionStartDate: '2025-01-01',
  /** Landing objects expire this long after upload: raw/ keeps the byte-identical original. */
  landingExpirationDays: 30,
  /** Rejected rows and files are kept this long for the steward to fix and re-upload. */
  quarantineExpirationDays: 180,
  /** Reports are kept this long. */
  reportExpirationDays: 730,
  /** Object Lock (governance mode) retention of the originals in raw/. */
  rawRetentionDays: 365,
  /** Server access logs are kept this long. */
  accessLogExpirationDays: 365,
  /** Overwritten or deleted versions of curated objects are kept this long. */
  noncurrentVersionExpirationDays: 30,
  /** Athena query results are kept this long. */
  queryResultExpirationDays: 30,
  /** Athena stops a query after scanning this many bytes (10 GiB). */
  bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
  /** Transformer memory (MiB); DuckDB's CPU share grows with it. */
  transformerMemoryMiB: 3008,
  /** Transformer timeout (seconds): Lambda's maximum. */
  transformerTimeoutSeconds: 900,
  /** Transformer /tmp size (MiB), for decoded copies and DuckDB spill files. */
  transformerEphemeralStorageMiB: 10240,
  /** Files handed to one transformer invocation. */
  batchSize: 1,
  /** Most transformer invocations the queue drives at once. */
  maxConcurrency: 10,
  /** Deliveries of one message before it is moved to the dead-letter queue. */
  maxReceiveCount: 3,
  /** Age of the oldest queued upload that raises an alarm (seconds). */
  oldestMessageAlarmSeconds: 3600,
  /** Departments per catalog stack. */
  departmentsPerStack: 1,
  /** Log retention of the transformer (days). */
  logRetentionDays: 365,
} as const;

const arn = z.string().regex(/^arn:[a-z-]+:/, 'must be an ARN (arn:<partition>:...)');
const arns = z.array(arn).default([]);
const days = z.number().int().min(1);

export const departmentPersonasSchema = z.strictObject({
  analysts: arns.describe("Principals who see this department's public and internal data."),
  restricted: arns.describe("Principals who also see this department's restricted columns."),
});

export const lakeConfigSchema = z.strictObject({
  catalog: z
    .strictObject({
      databasePrefix: z
        .string()
        .regex(/^[a-z0-9_]*$/, 'must be lowercase letters, digits or _ (Glue database names)')
        .max(64)
        .default(LAKE_DEFAULTS.databasePrefix),
      projectionStartDate: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
        .default(LAKE_DEFAULTS.projectionStartDate),
    })
    .prefault({}),
  lakeFormation: z
    .strictObject({
      admins: arns.describe('Lake Formation administrators besides the deployment role.'),
    })
    .prefault({}),
  personas: z
    .strictObject({
      public: arns.describe("Principals who see every department's public data."),
    })
    .prefault({}),
  departments: z.record(z.string(), departmentPersonasSchema).default({}),
  storage: z
    .strictObject({
      landingExpirationDays: days.default(LAKE_DEFAULTS.landingExpirationDays),
      quarantineExpirationDays: days.default(LAKE_DEFAULTS.quarantineExpirationDays),
      reportExpirationDays: days.default(LAKE_DEFAULTS.reportExpirationDays),
      rawRetentionDays: z.number().int().min(0).default(LAKE_DEFAULTS.rawRetentionDays),
      accessLogExpirationDays: days.default(LAKE_DEFAULTS.accessLogExpirationDays),
      noncurrentVersionExpirationDays: days.default(LAKE_DEFAULTS.noncurrentVersionExpirationDays),
    })
    .prefault({}),
  query: z
    .strictObject({
      bytesScannedCutoffPerQuery: z
        .number()
        .int()
        .min(10_000_000)
        .default(LAKE_DEFAULTS.bytesScannedCutoffPerQuery),
      resultExpirationDays: days.default(LAKE_DEFAULTS.queryResultExpirationDays),
    })
    .prefault({}),
  ingestion: z
    .strictObject({
      memoryMiB: z.number().int().min(512).max(10240).default(LAKE_DEFAULTS.transformerMemoryMiB),
      timeoutSeconds: z.number().int().min(60).max(900).default(LAKE_DEFAULTS.transformerTimeoutSeconds),
      ephemeralStorageMiB: z
        .number()
        .int()
        .min(512)
        .max(10240)
        .default(LAKE_DEFAULTS.transformerEphemeralStorageMiB),
      batchSize: z.number().int().min(1).max(10).default(LAKE_DEFAULTS.batchSize),
      maxConcurrency: z.number().int().min(2).max(1000).default(LAKE_DEFAULTS.maxConcurrency),
      maxReceiveCount: z.number().int().min(1).max(1000).default(LAKE_DEFAULTS.maxReceiveCount),
    })
    .prefault({}),
  monitoring: z
    .strictObject({
      alarmEmails: z.array(z.email()).default([]),
      oldestMessageAlarmSeconds: z.number().int().min(60).default(LAKE_DEFAULTS.oldestMessageAlarmSeconds),
    })
    .prefault({}),
  stacks: z
    .strictObject({
      departmentsPerStack: z.number().int().min(1).default(LAKE_DEFAULTS.departmentsPerStack),
    })
    .prefault({}),
  portal: z
    .strictObject({
      enabled: z
        .boolean()
        .optional()
        .describe(
          'Deploy the web portal (CloudFront, Cognito sign-in, API); default: on, but off in the China regions (no Cognito user pools there).',
        ),
      threatProtection: z
        .boolean()
        .default(true)
        .describe('Cognito threat protection (the Plus feature plan), where the region offers it.'),
      domainPrefix: z
        .string()
        .regex(
          /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
          'must be lowercase letters, digits and inner hyphens',
        )
        .optional()
        .describe('Prefix of the hosted sign-in domain (default: the stack name and a hash).'),
      webAclId: z
        .string()
        .regex(/^arn:[a-z-]+:wafv2:/, 'must be the ARN of a WAF web ACL (CLOUDFRONT scope)')
        .optional()
        .describe("The province's WAF web ACL for the portal distribution."),
    })
    .prefault({}),
});

export type LakeConfig = z.output<typeof lakeConfigSchema>;
export type DepartmentPersonas = z.output<typeof departmentPersonasSchema>;

const ADVICE = 'Fix lake.yaml and run again.';

/** The lake configuration with every default applied (what an absent lake.yaml means). */
export function defaultLakeConfig(): LakeConfig {
  return lakeConfigSchema.parse({});
}

/** Parses lake.yaml text; throws a ContractError naming the line, column and key of every problem. */
export function parseLakeConfig(text: string, file: string): LakeConfig {
  const parsed = parseYaml(text, file);
  if (Array.isArray(parsed)) throw new ContractError(parsed, ADVICE);
  const result = lakeConfigSchema.safeParse(parsed.data ?? {});
  if (result.success) return result.data;
  throw new ContractError(
    locateIssues(parsed, result.error.issues, (key) => `unknown key "${key}"`),
    ADVICE,
  );
}

/** Every analyst persona of lake.yaml (public, and each department's analysts and restricted), once each. */
export function analystPrincipals(config: LakeConfig): string[] {
  const departments = Object.values(config.departments).flatMap((p) => [...p.analysts, ...p.restricted]);
  return [...new Set([...config.personas.public, ...departments])];
}

/** Loads lake.yaml, or the defaults when `path` does not exist. */
export function loadLakeConfig(path: string): LakeConfig {
  if (!existsSync(path)) return defaultLakeConfig();
  return parseLakeConfig(readFileSync(path, 'utf8'), path);
}

/** Throws when lake.yaml names personas for a department that departments.yaml does not declare. */
export function checkLakeConfigAgainstDepartments(
  config: LakeConfig,
  departments: readonly Department[],
  file = 'lake.yaml',
): void {
  const declared = new Set(departments.map((d) => d.id));
  const issues: ContractIssue[] = Object.keys(config.departments)
    .filter((id) => !declared.has(id))
    .map((id) => ({
      file,
      line: 1,
      column: 1,
      key: `departments.${id}`,
      message: `department "${id}" is not declared in departments.yaml; declared: ${[...declared].join(', ')}`,
    }));
  if (issues.length > 0) throw new ContractError(issues, ADVICE);
}
