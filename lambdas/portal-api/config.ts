/** The portal API's configuration, from its environment (set by lib/portal/portal-api.ts). */
import type { AwsPortalConfig } from '../../src/portal/aws-services.ts';

export const PORTAL_API_ENV = {
  /** JSON: AwsPortalConfig (buckets, open-data URL, access table, departments). */
  config: 'PORTAL_CONFIG',
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

export interface PortalApiConfig {
  lake: AwsPortalConfig;
  contractsFile: string;
  /** Absent: tokens sent to the public routes are not read. */
  issuer: string | null;
  /** Absent: a steward's decisions answer 501 with the CLI command. */
  accessApiUrl: string | null;
}

export function readPortalApiConfig(env: Readonly<Record<string, string | undefined>>): PortalApiConfig {
  const text = env[PORTAL_API_ENV.config];
  if (!text) throw new Error(`the portal API needs ${PORTAL_API_ENV.config} in its environment`);
  const lake = JSON.parse(text) as AwsPortalConfig;
  for (const k of ['landingBucket', 'quarantineBucket', 'openDataUrl', 'accessTable'] as const)
    if (typeof lake[k] !== 'string' || !lake[k])
      throw new Error(`the portal API's ${PORTAL_API_ENV.config} has no ${k}`);
  if (!Array.isArray(lake.departments))
    throw new Error(`the portal API's ${PORTAL_API_ENV.config} has no departments`);
  return {
    lake,
    contractsFile: env[PORTAL_API_ENV.contractsFile] || DEFAULT_CONTRACTS_FILE,
    issuer: env[PORTAL_API_ENV.issuer] || null,
    accessApiUrl: env[PORTAL_API_ENV.accessApiUrl] || null,
  };
}
