/**
 * The portal API's configuration as its handler reads it (lambdas/portal-api/config.ts): the file beside
 * the handler, written by the stack's bundling hook (lib/portal/portal-api-config.ts), merged with the
 * environment into the AwsPortalConfig the portal's services read; a missing or incomplete file, or a
 * missing variable, fails naming it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PORTAL_API_CONFIG_FILE,
  PORTAL_API_ENV,
  type PortalApiFile,
  readPortalApiConfig,
} from '../../lambdas/portal-api/config.ts';
import {
  type PortalLake,
  portalApiConfigFile,
  writePortalApiConfig,
} from '../../lib/portal/portal-api-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'lake-portal-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the stack passes for a lake of two departments, one without its portal analyst role. */
const LAKE: PortalLake = {
  landingBucket: 'lake-landing',
  quarantineBucket: 'lake-quarantine',
  openDataUrl: 'https://open.example.cn/',
  accessTable: 'lake-access',
  departmentRolePath: '/lake/departments/',
  departments: [
    {
      id: 'health',
      name: '省卫生健康委员会',
      database: 'lake_health',
      uploadRole: 'Lake-upload-health',
      portalAnalystRole: 'Lake-portal-analyst-health',
      workGroup: 'lake-health-analysts',
    },
    { id: 'education', name: '省教育厅', database: 'lake_education', uploadRole: 'Lake-upload-education' },
  ],
  enterprise: { roleName: 'Lake-portal-enterprise', workGroup: 'lake-portal-enterprise-query-cbedfd66' },
};

/** The environment as CloudFormation resolves it. */
const ENV = {
  [PORTAL_API_ENV.configFile]: DEFAULT_PORTAL_API_CONFIG_FILE,
  [PORTAL_API_ENV.landingBucket]: 'lake-landing',
  [PORTAL_API_ENV.quarantineBucket]: 'lake-quarantine',
  [PORTAL_API_ENV.openDataUrl]: 'https://open.example.cn/',
  [PORTAL_API_ENV.accessTable]: 'lake-access',
  [PORTAL_API_ENV.roleArnPrefix]: 'arn:aws-cn:iam::111122223333:role',
  [PORTAL_API_ENV.issuer]: 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_abc',
  [PORTAL_API_ENV.accessApiUrl]: 'https://api.example.cn/v1/',
};

/** A directory holding `content` as the configuration file. */
function beside(content: string): string {
  const at = mkdtempSync(join(dir, 'asset-'));
  writeFileSync(join(at, DEFAULT_PORTAL_API_CONFIG_FILE), content);
  return at;
}

describe('the portal API’s configuration', () => {
  it('is the file beside the handler and the environment, with the role ARNs built from the prefix', () => {
    // Prepare: the file as the bundling hook writes it.
    const at = mkdtempSync(join(dir, 'asset-'));
    writePortalApiConfig(portalApiConfigFile(LAKE), join(at, DEFAULT_PORTAL_API_CONFIG_FILE));

    // Act
    const config = readPortalApiConfig(ENV, at);

    // Assess
    expect(config).toEqual({
      lake: {
        landingBucket: 'lake-landing',
        quarantineBucket: 'lake-quarantine',
        openDataUrl: 'https://open.example.cn/',
        accessTable: 'lake-access',
        departments: [
          {
            id: 'health',
            name: '省卫生健康委员会',
            database: 'lake_health',
            uploadRoleArn: 'arn:aws-cn:iam::111122223333:role/lake/departments/Lake-upload-health',
            portalAnalystRoleArn:
              'arn:aws-cn:iam::111122223333:role/lake/departments/Lake-portal-analyst-health',
            workGroup: 'lake-health-analysts',
          },
          {
            id: 'education',
            name: '省教育厅',
            database: 'lake_education',
            uploadRoleArn: 'arn:aws-cn:iam::111122223333:role/lake/departments/Lake-upload-education',
          },
        ],
        enterprise: {
          roleArn: 'arn:aws-cn:iam::111122223333:role/Lake-portal-enterprise',
          workGroup: 'lake-portal-enterprise-query-cbedfd66',
        },
      },
      contractsFile: 'contracts.json',
      issuer: 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_abc',
      accessApiUrl: 'https://api.example.cn/v1/',
    });
  });

  it('has no enterprise when the file names none', () => {
    const { enterprise: _, ...withoutEnterprise } = LAKE;
    const at = beside(JSON.stringify(portalApiConfigFile(withoutEnterprise)));
    expect(readPortalApiConfig(ENV, at).lake).not.toHaveProperty('enterprise');
  });

  it('fails naming the file when it is not beside the handler', () => {
    const at = mkdtempSync(join(dir, 'empty-'));
    expect(() => readPortalApiConfig(ENV, at)).toThrow(
      `the portal API's configuration file ${join(at, DEFAULT_PORTAL_API_CONFIG_FILE)} cannot be read (ENOENT): it is written beside the handler at bundling (lib/portal/portal-api.ts); deploy the stack again with bundling on`,
    );
  });

  it('fails naming the file and the key a department lacks', () => {
    const file = portalApiConfigFile(LAKE) as PortalApiFile;
    const { uploadRole: _, ...lacking } = file.departments[1];
    const at = beside(JSON.stringify({ ...file, departments: [file.departments[0], lacking] }));
    expect(() => readPortalApiConfig(ENV, at)).toThrow(
      `the portal API's configuration file ${join(at, DEFAULT_PORTAL_API_CONFIG_FILE)} has no departments[1].uploadRole`,
    );
  });

  it('fails naming the file when it has no departments, or is not JSON', () => {
    const path = (at: string) => join(at, DEFAULT_PORTAL_API_CONFIG_FILE);
    const noDepartments = beside(JSON.stringify({ departmentRolePath: '/lake/departments/' }));
    expect(() => readPortalApiConfig(ENV, noDepartments)).toThrow(
      `the portal API's configuration file ${path(noDepartments)} has no departments`,
    );
    const cut = beside('{"departmentRolePath": "/lake/');
    expect(() => readPortalApiConfig(ENV, cut)).toThrow(
      `the portal API's configuration file ${path(cut)} is not JSON`,
    );
  });

  it('fails naming the variable the environment lacks, or a prefix that is not a role ARN prefix', () => {
    const at = beside(JSON.stringify(portalApiConfigFile(LAKE)));
    const { [PORTAL_API_ENV.accessTable]: _, ...withoutTable } = ENV;
    expect(() => readPortalApiConfig(withoutTable, at)).toThrow(
      "the portal API's environment has no PORTAL_ACCESS_TABLE",
    );
    expect(() =>
      readPortalApiConfig({ ...ENV, [PORTAL_API_ENV.roleArnPrefix]: 'arn:aws:iam::111122223333:role/' }, at),
    ).toThrow(
      'PORTAL_ROLE_ARN_PREFIX is arn:aws:iam::111122223333:role/, not arn:<partition>:iam::<account>:role',
    );
  });
});
