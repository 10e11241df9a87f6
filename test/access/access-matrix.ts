/**
 * The lake's access matrix: who may do what to which resource, as promised, checked against the
 * synthesized stacks by access-matrix.test.ts and rendered to docs/access-matrix.md.
 *
 * Resources:
 * - `<bucket>:<key>`: an object in landing, raw, curated, quarantine, query-results or access-logs.
 *   With s3:ListBucket, the bucket listed with that prefix; with a kms action, the bucket's KMS key
 *   used through S3 for that object (kms:ViaService and the object's encryption context).
 * - `key:<data|curated|query|ops|hash>`: a KMS key called directly (no S3 in between).
 * - `secret:hash-key`: the `protect: hash` key in Secrets Manager; with a kms action, its KMS key used
 *   through Secrets Manager for that secret (kms:ViaService and the SecretARN encryption context).
 * - `role:<principal>` with sts:AssumeRole: one of the stacks' roles, against its trust policy;
 *   `role:<principal> session=<name>` asks for a role session of that name.
 * - `glue:<database>[/<table>]`, `workgroup:<name>`: Glue catalog objects and Athena workgroups.
 * - `table:access-requests`: the access requests table (DynamoDB), against its resource policy.
 * - `api:<METHOD> <path>`: a route of the access API (execute-api:Invoke), against its resource policy.
 * - `lakeformation:*`: Lake Formation's grant actions, which take no resource (identity policies decide).
 * - `lf:<database>[/<table>[.<column>]]` with `lakeformation:SELECT` / `lakeformation:DESCRIBE`: the
 *   Lake Formation LF-tag grants of the templates, evaluated against the templates' tag associations.
 *
 * `allowed` is what the lake promises. A row with `hole` is a promise the stacks do not keep yet: the
 * test checks the stacks still give the opposite, so closing the hole makes the test ask for the
 * mark to be removed.
 */

export const PRINCIPALS = {
  'health-uploader': "health's upload role (Lake-health)",
  'statistics-uploader': "statistics' upload role (Lake-statistics)",
  transformer: "the transformer Lambda's role",
  eraser: 'the erasure role (`lake erase`; lake admins assume it)',
  'freshness-check': "the daily freshness check Lambda's role (overdue datasets per department)",
  'public-analyst': 'a role with the public persona policy (and LF principal role/public-analyst)',
  'health-analyst': "a role with health's analyst policy (and LF principal role/health-analyst)",
  'health-investigator': "a role with health's restricted policy (and LF principal role/health-investigator)",
  'statistics-analyst': "a role with statistics' analyst policy (no LF principal in lake.yaml)",
  'unrelated-role': 'a role in the same account with no lake policy',
  'account-admin':
    'a role in the same account with s3:*, kms:*, glue:*, athena:*, secretsmanager:*, sts:* on * (no lake policy)',
  'path-lookalike':
    "a role created under the upload roles' IAM path, /lake/departments/Lake-upload-health-2, with the same policies as account-admin",
  'lake-admin': "a break-glass admin (lakeFormation.admins in lake.yaml) with account-admin's policies",
  'health-steward': "a user health's uploaders name in departments.yaml, allowed sts:* on *",
  'open-data-cdn': 'CloudFront (cloudfront.amazonaws.com) on behalf of the open-data distribution',
  'other-cdn': 'CloudFront on behalf of another distribution of the same account',
  anonymous: 'the public: an unsigned request from anywhere',
  'access-api': "the access API Lambda's role (requests, decisions, Lake Formation grants, expiry schedules)",
  'service-admin':
    'a role in the same account with dynamodb:*, execute-api:*, lakeformation:*, scheduler:* on * (no lake policy)',
  'portal-api':
    "the web portal API Lambda's role (catalogue metadata, requests read, a steward's upload role in a lake-cli-portal-* session)",
  'portal-cdn': 'CloudFront (cloudfront.amazonaws.com) on behalf of the web portal distribution',
  'health-portal-analyst':
    "health's portal analyst role (Lake-portal-analyst-health): the web portal acts as it for health's signed-in analysts",
  'portal-enterprise':
    'the portal enterprise role (Lake-portal-enterprise): the web portal acts as it for signed-in enterprises (conditional opening)',
} as const;
export type PrincipalName = keyof typeof PRINCIPALS;

export interface AccessExpectation {
  readonly principal: PrincipalName;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  /** A known access hole: the stacks currently give the opposite of `allowed`. */
  readonly hole?: string;
}

const row = (
  principal: PrincipalName,
  action: string,
  resource: string,
  allowed: boolean,
  hole?: string,
): AccessExpectation =>
  hole ? { principal, action, resource, allowed, hole } : { principal, action, resource, allowed };

const HEALTH_UPLOAD = 'landing:landing/health/clinics/2024-06-01.csv';
const STATS_UPLOAD = 'landing:landing/statistics/population/2024.csv';
const HEALTH_RAW = 'raw:raw/health/clinics/2024-06-01.csv';
const HEALTH_CURATED = 'curated:curated/health/clinics/ingest_date=2024-06-01/part-0.parquet';
const HEALTH_QUARANTINE = 'quarantine:quarantine/health/clinics/2024-06-01.csv';
const HEALTH_REPORT = 'quarantine:reports/health/u-0001.json';
const STATS_REPORT = 'quarantine:reports/statistics/u-0002.json';
const PUBLIC_RESULT = 'query-results:athena/public/q-1.csv';
const HASH_KEY = 'secret:hash-key';
const HEALTH_APPROVE = 'api:POST departments/health/requests/r-1/approve';
const STATS_APPROVE = 'api:POST departments/statistics/requests/r-2/approve';
const ACCESS_ASK = 'api:POST requests';
const ACCESS_LIST = 'api:GET requests';
const ACCESS_TABLE = 'table:access-requests';
const ENTERPRISE_ASK = 'api:POST enterprises/acme/requests';
const ENTERPRISE_LIST = 'api:GET enterprises/acme/requests';
const ENTERPRISE_RESULT = 'query-results:athena/portal-enterprise/q-5.csv';
const LF_GRANTS = 'lakeformation:*';
const HEALTH_WITHDRAW_REQUEST =
  'landing:landing/health/_requests/withdraw/20240601T000000Z-0123456789ab.json';
const STATS_WITHDRAW_REQUEST =
  'landing:landing/statistics/_requests/withdraw/20240601T000000Z-0123456789ab.json';
const HEALTH_WITHDRAWN = 'curated:withdrawn/curated/health/clinics/ingest_date=2024-06-01/part-0.parquet';
const ERASURE_RECEIPT = 'quarantine:reports/_erasures/pipl-2026-118.json';
const OPEN_CATALOG = 'open:open/catalog.jsonld';
const OPEN_CSV = 'open:open/health/clinics/clinics.csv';
const PORTAL_PAGE = 'portal-site:index.html';
/** A department's upload role, asked for in the portal's session for a user (`lake-cli-portal-<sub>`). */
const PORTAL_SESSION = 'session=lake-cli-portal-0a1b2c3d-1111-2222-3333-444455556666';
const PORTAL_SCRIPT = 'portal-site:assets/index.js';

export const ACCESS_MATRIX: readonly AccessExpectation[] = [
  // A department writes its own landing area only, and cannot read it back.
  row('health-uploader', 's3:PutObject', HEALTH_UPLOAD, true),
  row('health-uploader', 's3:PutObject', 'landing:landing/education/enrolment/2024.csv', false),
  row('health-uploader', 's3:PutObject', STATS_UPLOAD, false),
  row('health-uploader', 's3:PutObject', 'landing:landing/health-other/x.csv', false),
  row('health-uploader', 's3:GetObject', HEALTH_UPLOAD, false),
  row('health-uploader', 's3:DeleteObject', HEALTH_UPLOAD, false),
  row('health-uploader', 's3:ListBucket', 'landing:landing/health/', true),
  row('health-uploader', 's3:ListBucket', 'landing:landing/statistics/', false),
  row('health-uploader', 's3:ListBucket', 'landing:', false),
  row('health-uploader', 'kms:GenerateDataKey', HEALTH_UPLOAD, true),
  row('health-uploader', 'kms:GenerateDataKey', STATS_UPLOAD, false),
  row('health-uploader', 'kms:Decrypt', 'key:data', false),
  row('health-uploader', 's3:GetObject', HEALTH_REPORT, true),
  row('health-uploader', 'kms:Decrypt', HEALTH_REPORT, true),
  row('health-uploader', 's3:ListBucket', 'quarantine:reports/health/', true),
  row('health-uploader', 's3:GetObject', STATS_REPORT, false),
  row('health-uploader', 'kms:Decrypt', STATS_REPORT, false),
  row('health-uploader', 's3:GetObject', HEALTH_QUARANTINE, false),
  row('health-uploader', 's3:GetObject', HEALTH_RAW, false),
  row('health-uploader', 's3:PutObject', HEALTH_RAW, false),
  row('health-uploader', 's3:GetObject', HEALTH_CURATED, false),
  row('health-uploader', 'glue:GetTable', 'glue:lake_health/clinics', false),
  row('health-uploader', 'athena:StartQueryExecution', 'workgroup:health', false),
  row('statistics-uploader', 's3:PutObject', STATS_UPLOAD, true),
  row('statistics-uploader', 's3:PutObject', HEALTH_UPLOAD, false),
  row('statistics-uploader', 'kms:GenerateDataKey', HEALTH_UPLOAD, false),
  row('statistics-uploader', 's3:GetObject', STATS_REPORT, true),
  row('statistics-uploader', 's3:GetObject', HEALTH_REPORT, false),
  row('statistics-uploader', 'kms:Decrypt', HEALTH_REPORT, false),

  // The transformer reads landing, writes raw/curated/quarantine/reports, never deletes raw.
  row('transformer', 's3:GetObject', HEALTH_UPLOAD, true),
  row('transformer', 'kms:Decrypt', HEALTH_UPLOAD, true),
  row('transformer', 's3:PutObject', HEALTH_UPLOAD, false),
  row('transformer', 's3:DeleteObject', HEALTH_UPLOAD, false),
  row('transformer', 's3:PutObject', HEALTH_RAW, true),
  row('transformer', 's3:DeleteObject', HEALTH_RAW, false),
  row('transformer', 's3:GetObject', HEALTH_RAW, false),
  row('transformer', 's3:PutObject', HEALTH_CURATED, true),
  row('transformer', 's3:DeleteObject', HEALTH_CURATED, true),
  row('transformer', 'kms:GenerateDataKey', HEALTH_CURATED, true),
  row('transformer', 's3:PutObject', HEALTH_QUARANTINE, true),
  row('transformer', 's3:PutObject', HEALTH_REPORT, true),
  row('transformer', 's3:DeleteObject', HEALTH_REPORT, false),
  row('transformer', 's3:PutObject', 'query-results:athena/public/q-1.csv', false),
  row('transformer', 's3:PutObject', 'access-logs:landing/log-1', false),
  row('transformer', 'kms:Decrypt', 'key:data', false),
  row('transformer', 'kms:Decrypt', 'query-results:athena/public/q-1.csv', false),
  row('transformer', 'athena:StartQueryExecution', 'workgroup:public', false),

  // No analyst gets anything in landing, raw or quarantine, nor curated objects except through Lake Formation.
  ...(
    [
      'public-analyst',
      'health-analyst',
      'health-investigator',
      'statistics-analyst',
      'health-portal-analyst',
    ] as const
  ).flatMap((p) => [
    row(p, 's3:GetObject', HEALTH_UPLOAD, false),
    row(p, 's3:GetObject', HEALTH_RAW, false),
    row(p, 's3:GetObject', HEALTH_QUARANTINE, false),
    row(p, 's3:GetObject', HEALTH_REPORT, false),
    row(p, 's3:GetObject', HEALTH_CURATED, false),
    row(p, 'kms:Decrypt', HEALTH_UPLOAD, false),
    row(p, 'kms:Decrypt', HEALTH_CURATED, false),
  ]),
  row('public-analyst', 's3:ListBucket', 'landing:landing/', false),
  row('public-analyst', 's3:ListBucket', 'raw:raw/', false),

  // Each persona queries in its own workgroup and reads its own results only.
  row('public-analyst', 'athena:StartQueryExecution', 'workgroup:public', true),
  row('public-analyst', 'athena:StartQueryExecution', 'workgroup:health', false),
  row('public-analyst', 's3:PutObject', 'query-results:athena/public/q-1.csv', true),
  row('public-analyst', 's3:GetObject', 'query-results:athena/public/q-1.csv', true),
  row('public-analyst', 'kms:Decrypt', 'query-results:athena/public/q-1.csv', true),
  row('public-analyst', 's3:GetObject', 'query-results:athena/health/q-2.csv', false),
  row('public-analyst', 's3:ListBucket', 'query-results:athena/health/', false),
  row('public-analyst', 'glue:GetTable', 'glue:lake_health/clinics', true),
  row('public-analyst', 'glue:GetTables', 'glue:lake_health', true),
  row('public-analyst', 'glue:GetTable', 'glue:finance_private/ledger', false),
  row('health-analyst', 'athena:StartQueryExecution', 'workgroup:health', true),
  row('health-analyst', 'athena:StartQueryExecution', 'workgroup:health-restricted', false),
  row('health-analyst', 'athena:StartQueryExecution', 'workgroup:public', false),
  row('health-analyst', 's3:GetObject', 'query-results:athena/health/q-2.csv', true),
  row('health-analyst', 's3:GetObject', 'query-results:athena/health-restricted/q-3.csv', false),
  row('health-analyst', 'glue:GetTable', 'glue:lake_health/visits', true),
  row('health-investigator', 'athena:StartQueryExecution', 'workgroup:health-restricted', true),
  row('health-investigator', 'athena:StartQueryExecution', 'workgroup:health', false),
  row('health-investigator', 's3:GetObject', 'query-results:athena/health-restricted/q-3.csv', true),
  row('health-investigator', 's3:GetObject', 'query-results:athena/public/q-1.csv', false),
  row('statistics-analyst', 'athena:StartQueryExecution', 'workgroup:statistics', true),
  row('statistics-analyst', 'athena:StartQueryExecution', 'workgroup:health', false),
  row('statistics-analyst', 's3:GetObject', 'query-results:athena/health/q-2.csv', false),

  // Lake Formation: what each persona may select, column by column (contracts' classifications).
  row('public-analyst', 'lakeformation:DESCRIBE', 'lf:lake_health', true),
  row('public-analyst', 'lakeformation:SELECT', 'lf:lake_health/clinics', true),
  row('public-analyst', 'lakeformation:SELECT', 'lf:lake_health/clinics.clinic_id', true),
  row('public-analyst', 'lakeformation:SELECT', 'lf:lake_health/clinics.rating', false),
  row('public-analyst', 'lakeformation:SELECT', 'lf:lake_health/clinics.owner_id_number', false),
  row('public-analyst', 'lakeformation:SELECT', 'lf:lake_health/visits', false),
  row('public-analyst', 'lakeformation:SELECT', 'lf:lake_statistics/population', false),
  row('health-analyst', 'lakeformation:SELECT', 'lf:lake_health/visits', true),
  row('health-analyst', 'lakeformation:SELECT', 'lf:lake_health/visits.birth_year', false),
  row('health-analyst', 'lakeformation:SELECT', 'lf:lake_health/clinics.rating', true),
  row('health-analyst', 'lakeformation:SELECT', 'lf:lake_health/clinics.owner_id_number', false),
  row('health-analyst', 'lakeformation:SELECT', 'lf:lake_statistics/population', false),
  row('health-analyst', 'lakeformation:DESCRIBE', 'lf:lake_statistics', false),
  row('health-investigator', 'lakeformation:SELECT', 'lf:lake_health/visits.birth_year', true),
  row('health-investigator', 'lakeformation:SELECT', 'lf:lake_health/clinics.owner_id_number', true),
  row('health-investigator', 'lakeformation:SELECT', 'lf:lake_statistics/population', false),
  row('statistics-analyst', 'lakeformation:SELECT', 'lf:lake_statistics/population', false),
  row('unrelated-role', 'lakeformation:SELECT', 'lf:lake_health/clinics', false),

  // Outside the lake's roles: a role with no lake policy gets nothing...
  row('unrelated-role', 's3:PutObject', HEALTH_UPLOAD, false),
  row('unrelated-role', 's3:GetObject', HEALTH_UPLOAD, false),
  row('unrelated-role', 's3:GetObject', HEALTH_RAW, false),
  row('unrelated-role', 's3:GetObject', HEALTH_CURATED, false),
  row('unrelated-role', 'kms:Decrypt', 'key:data', false),
  row('unrelated-role', 'kms:Decrypt', 'key:curated', false),
  row('unrelated-role', 'kms:Decrypt', HEALTH_CURATED, false),
  row('unrelated-role', 'glue:GetTable', 'glue:lake_health/clinics', false),
  row('unrelated-role', 'athena:StartQueryExecution', 'workgroup:public', false),
  // ...and nobody outside the lake's roles reaches lake data or decrypts, even with broad identity
  // policies: the bucket and key policies deny every principal but the lake's roles.
  row('account-admin', 'kms:Decrypt', 'key:data', false),
  row('account-admin', 'kms:Decrypt', 'key:curated', false),
  row('account-admin', 'kms:Decrypt', HEALTH_RAW, false),
  row('account-admin', 's3:GetObject', HEALTH_RAW, false),
  row('account-admin', 's3:GetObject', HEALTH_CURATED, false),
  row('account-admin', 's3:PutObject', HEALTH_UPLOAD, false),
  // The query results and their key are inside the perimeter too: only the analysts lake.yaml names.
  row('account-admin', 's3:GetObject', PUBLIC_RESULT, false),
  row('account-admin', 's3:PutObject', PUBLIC_RESULT, false),
  row('account-admin', 'kms:Decrypt', PUBLIC_RESULT, false),
  row('account-admin', 'kms:Decrypt', 'key:query', false),
  row('unrelated-role', 's3:GetObject', PUBLIC_RESULT, false),
  row('statistics-analyst', 's3:PutObject', 'query-results:athena/statistics/q-4.csv', false),

  // The perimeter names each lake role: a role created under the upload roles' path gets nothing.
  row('path-lookalike', 's3:PutObject', HEALTH_UPLOAD, false),
  row('path-lookalike', 's3:GetObject', HEALTH_UPLOAD, false),
  row('path-lookalike', 's3:GetObject', HEALTH_QUARANTINE, false),
  row('path-lookalike', 's3:GetObject', HEALTH_REPORT, false),
  row('path-lookalike', 'kms:Decrypt', HEALTH_REPORT, false),
  row('path-lookalike', 'kms:Decrypt', 'key:data', false),
  row('path-lookalike', 's3:GetObject', HEALTH_CURATED, false),
  row('path-lookalike', 's3:GetObject', PUBLIC_RESULT, false),
  row('path-lookalike', 'secretsmanager:GetSecretValue', HASH_KEY, false),

  // An upload role trusts exactly the uploaders departments.yaml names, and nobody while it names none.
  row('health-steward', 'sts:AssumeRole', 'role:health-uploader', true),
  row('health-steward', 'sts:AssumeRole', 'role:statistics-uploader', false),
  row('account-admin', 'sts:AssumeRole', 'role:health-uploader', false),
  row('account-admin', 'sts:AssumeRole', 'role:statistics-uploader', false),
  row('lake-admin', 'sts:AssumeRole', 'role:statistics-uploader', false),

  // The protect: hash key: the transformer reads it through Secrets Manager; nobody else does.
  row('transformer', 'secretsmanager:GetSecretValue', HASH_KEY, true),
  row('transformer', 'kms:Decrypt', HASH_KEY, true),
  row('transformer', 'kms:Decrypt', 'key:hash', false),
  row('transformer', 'secretsmanager:PutSecretValue', HASH_KEY, false),
  ...(
    [
      'health-uploader',
      'statistics-uploader',
      'public-analyst',
      'health-analyst',
      'health-investigator',
      'statistics-analyst',
      'unrelated-role',
      'account-admin',
    ] as const
  ).flatMap((p) => [
    row(p, 'secretsmanager:GetSecretValue', HASH_KEY, false),
    row(p, 'kms:Decrypt', HASH_KEY, false),
  ]),
  row('account-admin', 'kms:Decrypt', 'key:hash', false),
  row('account-admin', 'kms:ReEncryptFrom', 'key:hash', false),
  // Planting a known key, or deleting it, would be as bad as reading it.
  row('account-admin', 'secretsmanager:PutSecretValue', HASH_KEY, false),
  row('account-admin', 'secretsmanager:UpdateSecret', HASH_KEY, false),
  row('account-admin', 'secretsmanager:DeleteSecret', HASH_KEY, false),

  // The break-glass admins reach everything the perimeters guard, and may rotate the key on purpose.
  row('lake-admin', 's3:GetObject', HEALTH_RAW, true),
  row('lake-admin', 's3:GetObject', PUBLIC_RESULT, true),
  row('lake-admin', 'secretsmanager:GetSecretValue', HASH_KEY, true),
  row('lake-admin', 'kms:Decrypt', HASH_KEY, true),
  row('lake-admin', 'secretsmanager:PutSecretValue', HASH_KEY, true),

  // A withdrawal on the deployed lake: the steward's request goes under its own department's landing
  // prefix (the transformer carries it out and checks the upload is that department's); the transformer
  // moves the upload's curated files to withdrawn/.
  row('health-uploader', 's3:PutObject', HEALTH_WITHDRAW_REQUEST, true),
  row('health-uploader', 's3:PutObject', STATS_WITHDRAW_REQUEST, false),
  row('statistics-uploader', 's3:PutObject', HEALTH_WITHDRAW_REQUEST, false),
  row('health-uploader', 's3:PutObject', HEALTH_WITHDRAWN, false),
  row('transformer', 's3:GetObject', HEALTH_WITHDRAW_REQUEST, true),
  row('transformer', 's3:PutObject', HEALTH_WITHDRAWN, true),
  row('transformer', 's3:GetObject', HEALTH_WITHDRAWN, true),
  row('transformer', 's3:DeleteObject', HEALTH_WITHDRAWN, false),

  // Erasure: the erasure role rewrites and deletes a person's rows in every zone, and it alone may delete
  // raw's versions before their governance retention ends. Only the lake admins assume it.
  row('eraser', 's3:BypassGovernanceRetention', HEALTH_RAW, true),
  row('eraser', 's3:PutObject', HEALTH_RAW, true),
  row('eraser', 's3:DeleteObjectVersion', HEALTH_RAW, true),
  row('eraser', 's3:DeleteObjectVersion', HEALTH_UPLOAD, true),
  row('eraser', 's3:PutObject', HEALTH_CURATED, true),
  row('eraser', 's3:DeleteObjectVersion', HEALTH_CURATED, true),
  row('eraser', 's3:PutObject', HEALTH_WITHDRAWN, true),
  row('eraser', 's3:PutObject', HEALTH_QUARANTINE, true),
  row('eraser', 's3:PutObject', ERASURE_RECEIPT, true),
  row('eraser', 's3:PutObject', HEALTH_REPORT, false),
  row('eraser', 's3:PutObject', HEALTH_UPLOAD, false),
  row('eraser', 's3:ListBucketVersions', 'raw:raw/', true),
  row('eraser', 'kms:GenerateDataKey', HEALTH_RAW, true),
  row('eraser', 'secretsmanager:GetSecretValue', HASH_KEY, true),
  row('eraser', 'secretsmanager:PutSecretValue', HASH_KEY, false),
  row('eraser', 's3:PutObject', PUBLIC_RESULT, false),
  row('eraser', 'athena:StartQueryExecution', 'workgroup:public', false),
  row('eraser', 's3:BypassGovernanceRetention', 'landing:landing/health/clinics/2024-06-01.csv', false),
  ...(
    [
      'health-uploader',
      'transformer',
      'public-analyst',
      'health-analyst',
      'health-investigator',
      'account-admin',
      'lake-admin',
    ] as const
  ).map((p) => row(p, 's3:BypassGovernanceRetention', HEALTH_RAW, false)),
  row('transformer', 's3:DeleteObjectVersion', HEALTH_RAW, false),
  row('lake-admin', 'sts:AssumeRole', 'role:eraser', true),
  row('account-admin', 'sts:AssumeRole', 'role:eraser', false),
  row('health-steward', 'sts:AssumeRole', 'role:eraser', false),

  // The freshness check reads every department's reports, and nothing else: not the erasure receipts
  // beside them, no data zone, no write.
  row('freshness-check', 's3:GetObject', HEALTH_REPORT, true),
  row('freshness-check', 'kms:Decrypt', HEALTH_REPORT, true),
  row('freshness-check', 's3:GetObject', STATS_REPORT, true),
  row('freshness-check', 's3:ListBucket', 'quarantine:reports/health/', true),
  row('freshness-check', 's3:ListBucket', 'quarantine:', false),
  row('freshness-check', 's3:GetObject', ERASURE_RECEIPT, false),
  row('freshness-check', 's3:PutObject', HEALTH_REPORT, false),
  row('freshness-check', 's3:DeleteObject', HEALTH_REPORT, false),
  row('freshness-check', 's3:GetObject', HEALTH_QUARANTINE, false),
  row('freshness-check', 's3:GetObject', HEALTH_UPLOAD, false),
  row('freshness-check', 's3:GetObject', HEALTH_RAW, false),
  row('freshness-check', 's3:GetObject', HEALTH_CURATED, false),
  row('freshness-check', 'kms:Decrypt', 'key:data', false),
  row('freshness-check', 'secretsmanager:GetSecretValue', HASH_KEY, false),
  row('freshness-check', 'athena:StartQueryExecution', 'workgroup:public', false),
  // The open-data zone: its bucket is read by CloudFront for its one distribution, and by nobody else
  // (the public downloads through CloudFront; analysts and the account's administrators too). The
  // transformer publishes under open/ only; the public reaches none of the lake's zones.
  row('open-data-cdn', 's3:GetObject', OPEN_CATALOG, true),
  row('open-data-cdn', 's3:GetObject', OPEN_CSV, true),
  row('open-data-cdn', 'kms:Decrypt', OPEN_CSV, true),
  row('open-data-cdn', 's3:PutObject', OPEN_CSV, false),
  row('open-data-cdn', 's3:ListBucket', 'open:open/', false),
  row('open-data-cdn', 's3:GetObject', HEALTH_CURATED, false),
  row('open-data-cdn', 's3:GetObject', HEALTH_UPLOAD, false),
  row('other-cdn', 's3:GetObject', OPEN_CATALOG, false),
  row('anonymous', 's3:GetObject', OPEN_CATALOG, false),
  row('anonymous', 's3:ListBucket', 'open:open/', false),
  row('anonymous', 's3:GetObject', HEALTH_UPLOAD, false),
  row('anonymous', 's3:PutObject', HEALTH_UPLOAD, false),
  row('anonymous', 's3:GetObject', HEALTH_RAW, false),
  row('anonymous', 's3:GetObject', HEALTH_CURATED, false),
  row('anonymous', 's3:GetObject', HEALTH_QUARANTINE, false),
  row('anonymous', 's3:GetObject', HEALTH_REPORT, false),
  row('anonymous', 's3:GetObject', PUBLIC_RESULT, false),
  row('public-analyst', 's3:GetObject', OPEN_CATALOG, false),
  row('account-admin', 's3:GetObject', OPEN_CSV, false),
  row('account-admin', 's3:PutObject', OPEN_CSV, false),
  row('lake-admin', 's3:GetObject', OPEN_CSV, true),
  row('transformer', 's3:PutObject', OPEN_CSV, true),
  row('transformer', 's3:GetObject', OPEN_CATALOG, true),
  row('transformer', 's3:DeleteObject', OPEN_CSV, true),
  row('transformer', 'kms:GenerateDataKey', OPEN_CSV, true),
  row('transformer', 's3:PutObject', 'open:elsewhere/x.csv', false),
  row('transformer', 's3:ListBucketVersions', 'open:open/', false),
  row('eraser', 's3:PutObject', OPEN_CSV, true),
  row('eraser', 's3:DeleteObjectVersion', OPEN_CSV, true),
  row('eraser', 's3:ListBucketVersions', 'open:open/', true),
  row('health-uploader', 's3:PutObject', OPEN_CSV, false),
  // Sharing through access requests. Only the owning department's steward (its upload role) decides on
  // its datasets' requests: not another department's, not an analyst, not an administrator of the API.
  // Only analyst personas ask. Only the access API writes the requests table and grants from Lake
  // Formation (besides its administrators); a conditional table is not read across departments without.
  row('health-uploader', 'execute-api:Invoke', HEALTH_APPROVE, true),
  row('health-uploader', 'execute-api:Invoke', 'api:POST departments/health/requests/r-1/revoke', true),
  row('health-uploader', 'execute-api:Invoke', STATS_APPROVE, false),
  row('statistics-uploader', 'execute-api:Invoke', STATS_APPROVE, true),
  row('statistics-uploader', 'execute-api:Invoke', HEALTH_APPROVE, false),
  row('health-analyst', 'execute-api:Invoke', HEALTH_APPROVE, false),
  row('health-investigator', 'execute-api:Invoke', HEALTH_APPROVE, false),
  row('public-analyst', 'execute-api:Invoke', STATS_APPROVE, false),
  row('service-admin', 'execute-api:Invoke', HEALTH_APPROVE, false),
  row('service-admin', 'execute-api:Invoke', ACCESS_ASK, false),
  row('unrelated-role', 'execute-api:Invoke', ACCESS_LIST, false),
  row('health-analyst', 'execute-api:Invoke', ACCESS_ASK, true),
  row('public-analyst', 'execute-api:Invoke', ACCESS_ASK, true),
  row('health-analyst', 'execute-api:Invoke', ACCESS_LIST, true),
  row('health-uploader', 'execute-api:Invoke', ACCESS_LIST, true),
  row('health-uploader', 'execute-api:Invoke', ACCESS_ASK, false),
  row('access-api', 'dynamodb:PutItem', ACCESS_TABLE, true),
  row('access-api', 'dynamodb:Query', ACCESS_TABLE, true),
  row('service-admin', 'dynamodb:PutItem', ACCESS_TABLE, false),
  row('service-admin', 'dynamodb:UpdateItem', ACCESS_TABLE, false),
  row('service-admin', 'dynamodb:DeleteItem', ACCESS_TABLE, false),
  row('health-uploader', 'dynamodb:PutItem', ACCESS_TABLE, false),
  row('health-analyst', 'dynamodb:Query', ACCESS_TABLE, false),
  row('transformer', 'dynamodb:PutItem', ACCESS_TABLE, false),
  row('access-api', 'lakeformation:GrantPermissions', LF_GRANTS, true),
  row('access-api', 'lakeformation:RevokePermissions', LF_GRANTS, true),
  row('health-uploader', 'lakeformation:GrantPermissions', LF_GRANTS, false),
  row('health-analyst', 'lakeformation:GrantPermissions', LF_GRANTS, false),
  row('transformer', 'lakeformation:GrantPermissions', LF_GRANTS, false),
  row('access-api', 's3:GetObject', HEALTH_CURATED, false),
  row('health-analyst', 'lakeformation:SELECT', 'lf:lake_statistics/population.residents', false),
  row('health-investigator', 'lakeformation:DESCRIBE', 'lf:lake_statistics', false),
  // The web portal. Its pages are read by CloudFront for the portal distribution only; the public reaches
  // them (and the API, and open data) through CloudFront alone. Its API's role reads the catalogue's
  // metadata and the requests table, acts for a steward only as that department's upload role, and
  // reads no lake zone, open data (it goes through CloudFront like anyone) or key itself.
  row('portal-cdn', 's3:GetObject', PORTAL_PAGE, true),
  row('portal-cdn', 's3:GetObject', PORTAL_SCRIPT, true),
  row('portal-cdn', 'kms:Decrypt', PORTAL_PAGE, true),
  row('portal-cdn', 's3:PutObject', PORTAL_PAGE, false),
  row('portal-cdn', 's3:GetObject', OPEN_CSV, false),
  row('portal-cdn', 's3:GetObject', HEALTH_CURATED, false),
  row('open-data-cdn', 's3:GetObject', PORTAL_PAGE, false),
  row('other-cdn', 's3:GetObject', PORTAL_PAGE, false),
  row('anonymous', 's3:GetObject', PORTAL_PAGE, false),
  row('anonymous', 's3:ListBucket', 'portal-site:', false),
  row('account-admin', 's3:GetObject', PORTAL_PAGE, false),
  row('unrelated-role', 's3:GetObject', PORTAL_PAGE, false),
  row('portal-api', 's3:GetObject', PORTAL_PAGE, false),
  row('portal-api', 's3:GetObject', HEALTH_UPLOAD, false),
  row('portal-api', 's3:PutObject', HEALTH_UPLOAD, false),
  row('portal-api', 's3:GetObject', HEALTH_RAW, false),
  row('portal-api', 's3:GetObject', HEALTH_CURATED, false),
  row('portal-api', 's3:GetObject', HEALTH_QUARANTINE, false),
  row('portal-api', 's3:GetObject', HEALTH_REPORT, false),
  row('portal-api', 's3:GetObject', OPEN_CSV, false),
  row('portal-api', 'kms:Decrypt', 'key:data', false),
  row('portal-api', 'secretsmanager:GetSecretValue', HASH_KEY, false),
  row('portal-api', 'athena:StartQueryExecution', 'workgroup:public', false),
  row('portal-api', 'glue:GetTable', 'glue:lake_health/clinics', true),
  row('portal-api', 'glue:GetTables', 'glue:lake_health', true),
  row('portal-api', 'glue:DeleteTable', 'glue:lake_health/clinics', false),
  row('portal-api', 'dynamodb:Query', ACCESS_TABLE, true),
  row('portal-api', 'dynamodb:PutItem', ACCESS_TABLE, false),
  row('portal-api', 'execute-api:Invoke', HEALTH_APPROVE, false),
  row('portal-api', 'lakeformation:GrantPermissions', LF_GRANTS, false),
  row('portal-api', 'sts:AssumeRole', 'role:transformer', false),
  row('portal-api', 'sts:AssumeRole', 'role:eraser', false),
  row('portal-api', 'sts:AssumeRole', 'role:access-api', false),
  // The portal acts for a signed-in steward as the department's upload role, in a session named after the
  // user (lake-cli-portal-<sub>) and no other; not for a department whose uploaders departments.yaml does
  // not name yet (its role trusts nobody); and the session name admits no one else.
  row('portal-api', 'sts:AssumeRole', `role:health-uploader ${PORTAL_SESSION}`, true),
  row('portal-api', 'sts:AssumeRole', 'role:health-uploader', false),
  row('portal-api', 'sts:AssumeRole', 'role:health-uploader session=lake-cli-health-steward', false),
  row('portal-api', 'sts:AssumeRole', `role:statistics-uploader ${PORTAL_SESSION}`, false),
  row('unrelated-role', 'sts:AssumeRole', `role:health-uploader ${PORTAL_SESSION}`, false),
  row('account-admin', 'sts:AssumeRole', `role:health-uploader ${PORTAL_SESSION}`, false),
  row('path-lookalike', 'sts:AssumeRole', `role:health-uploader ${PORTAL_SESSION}`, false),
  // The portal acts for a department's signed-in analysts as its portal analyst role, in the user's
  // session and no other; nobody else may assume it. The role is a department analyst: its workgroup and
  // results, its department's public and internal columns, the analysts' routes of the access API; no
  // restricted column, no other department's table, no decision. The portal's own role still reads no data.
  row('portal-api', 'sts:AssumeRole', `role:health-portal-analyst ${PORTAL_SESSION}`, true),
  row('portal-api', 'sts:AssumeRole', 'role:health-portal-analyst', false),
  row('portal-api', 'sts:AssumeRole', 'role:health-portal-analyst session=lake-cli-health-analyst', false),
  row('health-analyst', 'sts:AssumeRole', `role:health-portal-analyst ${PORTAL_SESSION}`, false),
  row('health-steward', 'sts:AssumeRole', `role:health-portal-analyst ${PORTAL_SESSION}`, false),
  row('account-admin', 'sts:AssumeRole', `role:health-portal-analyst ${PORTAL_SESSION}`, false),
  row('path-lookalike', 'sts:AssumeRole', `role:health-portal-analyst ${PORTAL_SESSION}`, false),
  row('health-portal-analyst', 'athena:StartQueryExecution', 'workgroup:health', true),
  row('health-portal-analyst', 'athena:StartQueryExecution', 'workgroup:health-restricted', false),
  row('health-portal-analyst', 'athena:StartQueryExecution', 'workgroup:public', false),
  row('health-portal-analyst', 'athena:StartQueryExecution', 'workgroup:statistics', false),
  row('health-portal-analyst', 's3:PutObject', 'query-results:athena/health/q-2.csv', true),
  row('health-portal-analyst', 's3:GetObject', 'query-results:athena/health/q-2.csv', true),
  row('health-portal-analyst', 'kms:Decrypt', 'query-results:athena/health/q-2.csv', true),
  row('health-portal-analyst', 's3:GetObject', 'query-results:athena/health-restricted/q-3.csv', false),
  row('health-portal-analyst', 's3:GetObject', PUBLIC_RESULT, false),
  row('health-portal-analyst', 'glue:GetTable', 'glue:lake_health/clinics', true),
  row('health-portal-analyst', 'lakeformation:DESCRIBE', 'lf:lake_health', true),
  row('health-portal-analyst', 'lakeformation:SELECT', 'lf:lake_health/visits', true),
  row('health-portal-analyst', 'lakeformation:SELECT', 'lf:lake_health/clinics.rating', true),
  row('health-portal-analyst', 'lakeformation:SELECT', 'lf:lake_health/visits.birth_year', false),
  row('health-portal-analyst', 'lakeformation:SELECT', 'lf:lake_health/clinics.owner_id_number', false),
  row('health-portal-analyst', 'lakeformation:SELECT', 'lf:lake_statistics/population', false),
  // It reads what other departments share unconditionally (none of statistics' tables is): their databases
  // are described, their conditional tables need a request.
  row('health-portal-analyst', 'lakeformation:DESCRIBE', 'lf:lake_statistics', true),
  row('health-portal-analyst', 'execute-api:Invoke', ACCESS_ASK, true),
  row('health-portal-analyst', 'execute-api:Invoke', ACCESS_LIST, true),
  row('health-portal-analyst', 'execute-api:Invoke', HEALTH_APPROVE, false),
  row('health-portal-analyst', 'execute-api:Invoke', STATS_APPROVE, false),
  row('health-portal-analyst', 'dynamodb:Query', ACCESS_TABLE, false),
  row('health-portal-analyst', 'lakeformation:GrantPermissions', LF_GRANTS, false),
  row('health-portal-analyst', 'secretsmanager:GetSecretValue', HASH_KEY, false),
  row('health-portal-analyst', 'sts:AssumeRole', 'role:health-uploader', false),
  row('health-portal-analyst', 's3:PutObject', HEALTH_UPLOAD, false),
  row('portal-api', 'athena:StartQueryExecution', 'workgroup:health', false),
  row('portal-api', 's3:GetObject', 'query-results:athena/health/q-2.csv', false),
  row('portal-api', 'kms:Decrypt', 'query-results:athena/health/q-2.csv', false),
  row('portal-api', 'lakeformation:SELECT', 'lf:lake_health/clinics', false),
  row('portal-api', 'execute-api:Invoke', ACCESS_ASK, false),
  // Conditional opening: the portal acts for a signed-in enterprise as the portal enterprise role, in the
  // user's session only. Its Lake Formation ceiling is the public, non-personal columns of conditionally
  // opened tables (fixture: health/clinics), no more; which enterprise reads what is its approved request,
  // checked by the portal. It asks on the access API's enterprise routes only, which nobody else may call.
  row('portal-api', 'sts:AssumeRole', `role:portal-enterprise ${PORTAL_SESSION}`, true),
  row('portal-api', 'sts:AssumeRole', 'role:portal-enterprise', false),
  row('portal-api', 'sts:AssumeRole', 'role:portal-enterprise session=lake-cli-acme', false),
  row('account-admin', 'sts:AssumeRole', `role:portal-enterprise ${PORTAL_SESSION}`, false),
  row('health-steward', 'sts:AssumeRole', `role:portal-enterprise ${PORTAL_SESSION}`, false),
  row('unrelated-role', 'sts:AssumeRole', `role:portal-enterprise ${PORTAL_SESSION}`, false),
  row('portal-enterprise', 'lakeformation:SELECT', 'lf:lake_health/clinics.clinic_name', true),
  row('portal-enterprise', 'lakeformation:SELECT', 'lf:lake_health/clinics.beds', true),
  row('portal-enterprise', 'lakeformation:SELECT', 'lf:lake_health/clinics.owner_id_number', false),
  row('portal-enterprise', 'lakeformation:SELECT', 'lf:lake_health/clinics.rating', false),
  row('portal-enterprise', 'lakeformation:SELECT', 'lf:lake_health/visits', false),
  row('portal-enterprise', 'lakeformation:SELECT', 'lf:lake_health/visits.birth_year', false),
  row('portal-enterprise', 'lakeformation:SELECT', 'lf:lake_statistics/population', false),
  row('portal-enterprise', 'lakeformation:DESCRIBE', 'lf:lake_health', true),
  row('portal-enterprise', 'lakeformation:DESCRIBE', 'lf:lake_statistics', false),
  row('portal-enterprise', 'athena:StartQueryExecution', 'workgroup:portal-enterprise', true),
  row('portal-enterprise', 'athena:StartQueryExecution', 'workgroup:public', false),
  row('portal-enterprise', 'athena:StartQueryExecution', 'workgroup:health', false),
  row('portal-enterprise', 's3:PutObject', ENTERPRISE_RESULT, true),
  row('portal-enterprise', 's3:GetObject', ENTERPRISE_RESULT, true),
  row('portal-enterprise', 'kms:Decrypt', ENTERPRISE_RESULT, true),
  row('portal-enterprise', 's3:GetObject', PUBLIC_RESULT, false),
  row('portal-enterprise', 's3:GetObject', 'query-results:athena/health/q-2.csv', false),
  row('portal-enterprise', 's3:GetObject', HEALTH_CURATED, false),
  row('portal-enterprise', 's3:GetObject', HEALTH_UPLOAD, false),
  row('portal-enterprise', 'kms:Decrypt', 'key:data', false),
  row('portal-enterprise', 'secretsmanager:GetSecretValue', HASH_KEY, false),
  row('portal-enterprise', 'execute-api:Invoke', ENTERPRISE_ASK, true),
  row('portal-enterprise', 'execute-api:Invoke', ENTERPRISE_LIST, true),
  row('portal-enterprise', 'execute-api:Invoke', ACCESS_ASK, false),
  row('portal-enterprise', 'execute-api:Invoke', ACCESS_LIST, false),
  row('portal-enterprise', 'execute-api:Invoke', HEALTH_APPROVE, false),
  row('portal-enterprise', 'dynamodb:PutItem', ACCESS_TABLE, false),
  row('portal-enterprise', 'lakeformation:GrantPermissions', LF_GRANTS, false),
  row('portal-enterprise', 'sts:AssumeRole', 'role:health-uploader', false),
  row('service-admin', 'execute-api:Invoke', ENTERPRISE_ASK, false),
  row('health-analyst', 'execute-api:Invoke', ENTERPRISE_ASK, false),
  row('health-uploader', 'execute-api:Invoke', ENTERPRISE_ASK, false),
  row('portal-api', 'execute-api:Invoke', ENTERPRISE_ASK, false),
  row('public-analyst', 'athena:StartQueryExecution', 'workgroup:portal-enterprise', false),
  row('public-analyst', 's3:GetObject', ENTERPRISE_RESULT, false),
];
