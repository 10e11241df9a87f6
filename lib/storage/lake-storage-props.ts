import type { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';

export interface LakeStorageProps {
  /**
   * Key for landing, raw and quarantine (departments' uploads, originals, rejected rows and reports).
   * @default - a new key with yearly rotation
   */
  readonly dataKey?: kms.IKey;
  /**
   * Key for curated Parquet (the shared zone), used by Lake Formation's data access role.
   * @default - a new key with yearly rotation
   */
  readonly curatedKey?: kms.IKey;
  /**
   * Key for Athena query results.
   * @default - a new key with yearly rotation
   */
  readonly queryKey?: kms.IKey;
  /**
   * How long an upload stays in landing after it arrives; raw/ keeps the original.
   * @default - LAKE_DEFAULTS.landingExpirationDays (30 days)
   */
  readonly landingExpiration?: Duration;
  /**
   * How long rejected rows and files stay in quarantine.
   * @default - LAKE_DEFAULTS.quarantineExpirationDays (180 days)
   */
  readonly quarantineExpiration?: Duration;
  /**
   * How long ingestion reports are kept.
   * @default - LAKE_DEFAULTS.reportExpirationDays (730 days)
   */
  readonly reportExpiration?: Duration;
  /**
   * Object Lock retention (governance mode) of every original in raw/; zero days turns the default
   * retention off while keeping Object Lock enabled.
   * @default - LAKE_DEFAULTS.rawRetentionDays (365 days)
   */
  readonly rawRetention?: Duration;
  /**
   * How long server access logs are kept.
   * @default - LAKE_DEFAULTS.accessLogExpirationDays (365 days)
   */
  readonly accessLogExpiration?: Duration;
  /**
   * How long overwritten or deleted versions in landing, curated and quarantine are kept.
   * @default - LAKE_DEFAULTS.noncurrentVersionExpirationDays (30 days)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long Athena query results are kept.
   * @default - LAKE_DEFAULTS.queryResultExpirationDays (30 days)
   */
  readonly queryResultExpiration?: Duration;
}
