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
 * - `role:<principal>` with sts:AssumeRole: one of the stacks' roles, against its trust policy.
 * - `glue:<database>[/<table>]`, `workgroup:<name>`: Glue catalog objects and Athena workgroups.
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
  ...(['public-analyst', 'health-analyst', 'health-investigator', 'statistics-analyst'] as const).flatMap(
    (p) => [
      row(p, 's3:GetObject', HEALTH_UPLOAD, false),
      row(p, 's3:GetObject', HEALTH_RAW, false),
      row(p, 's3:GetObject', HEALTH_QUARANTINE, false),
      row(p, 's3:GetObject', HEALTH_REPORT, false),
      row(p, 's3:GetObject', HEALTH_CURATED, false),
      row(p, 'kms:Decrypt', HEALTH_UPLOAD, false),
      row(p, 'kms:Decrypt', HEALTH_CURATED, false),
    ],
  ),
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
];
