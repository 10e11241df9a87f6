/**
 * The portal API's configuration as the stack builds it (lib/portal/portal-api-config.ts): the names go into
 * the file written beside the handler at bundling, checked here without bundling through the pure function
 * and the construct's configFile; the environment holds the same few values however many departments the
 * lake has, so a province's tens of departments stay within Lambda's 4 KB of environment variables.
 */
import { Token } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTAL_API_CONFIG_FILE } from '../../lambdas/portal-api/config.ts';
import { analystWorkGroupName } from '../../lib/departments/department-stacks.ts';
import { portalApiConfigFile } from '../../lib/portal/portal-api-config.ts';
import type { Department } from '../../src/contracts/schema.ts';
import { type BuiltLake, buildFixtureLake, fastStack, fixtureInputs, logicalIdOf } from './helpers.ts';

/** A fixture lake of `count` generated departments (Chinese names, no datasets), `perStack` to a stack. */
function generatedLake(count: number, perStack: number): BuiltLake {
  const base = fixtureInputs({ stacks: { departmentsPerStack: perStack } });
  const departments: Department[] = Array.from({ length: count }, (_, i) => ({
    id: `dept_${String(i + 1).padStart(2, '0')}`,
    name: `省第${i + 1}厅（数据开放示范单位）`,
    uploaders: [],
  }));
  return buildFixtureLake({ ...base, departments, datasets: [] });
}

/** The portal API function's environment variables, as the template has them (tokens unresolved). */
function portalEnvironment(lake: BuiltLake): Record<string, unknown> {
  const t = lake.coreTemplate;
  const id = logicalIdOf(t, 'AWS::Lambda::Function', 'Portal/Api/Function/Resource');
  return t.toJSON().Resources[id].Properties.Environment.Variables;
}

/** Each department's analysts' workgroup as its stack made it. */
function madeWorkGroups(lake: BuiltLake): Map<string, string> {
  return new Map(
    lake.departmentStacks.flatMap((s) => s.departments.map((d) => [d.departmentId, d.query.workGroupName])),
  );
}

const fixture = buildFixtureLake();
const province = generatedLake(30, 1);

describe('the portal API’s environment', () => {
  it('holds the same few values for 3 departments as for 30, under 1 KB of template text', () => {
    const few = portalEnvironment(fixture);
    const many = portalEnvironment(province);
    expect(Object.keys(many).sort()).toEqual([
      'NODE_OPTIONS',
      'PORTAL_ACCESS_API_URL',
      'PORTAL_ACCESS_TABLE',
      'PORTAL_CONFIG_FILE',
      'PORTAL_CONTRACTS_FILE',
      'PORTAL_ISSUER',
      'PORTAL_LANDING_BUCKET',
      'PORTAL_OPEN_DATA_URL',
      'PORTAL_QUARANTINE_BUCKET',
      'PORTAL_ROLE_ARN_PREFIX',
      'POWERTOOLS_SERVICE_NAME',
    ]);
    // Nothing of any department: no id, name, role or workgroup.
    expect(JSON.stringify(many)).not.toMatch(/dept_|厅|upload|analyst|workgroup/i);
    // Measured as the template has it: each token is a Ref or Fn::GetAtt of a logical id, or a Fn::Join of
    // a few. At deploy each becomes a bucket or table name, a CloudFront, Cognito or execute-api URL, or
    // `arn:<partition>:iam::<account>:role`: tens of characters each, none growing with the lake, so the
    // deployed variables stay about this size, far under Lambda's 4 KB.
    const size = JSON.stringify(many).length;
    expect(size).toBeLessThan(1024);
    expect(JSON.stringify(few).length).toBe(size);
  });
});

describe('the portal API’s configuration file', () => {
  it('names each department of the fixture lake: database, role names, analysts’ workgroup', () => {
    const file = fixture.core.portal?.api.configFile;
    const workGroups = madeWorkGroups(fixture);
    const t = fixture.coreTemplate;
    expect(file).toEqual({
      departmentRolePath: '/lake/departments/',
      departments: fixture.core.inputs.departments.map((d) => ({
        id: d.id,
        name: d.name,
        database: `lake_${d.id}`,
        uploadRole: `Lake-upload-${d.id}`,
        portalAnalystRole: `Lake-portal-analyst-${d.id}`,
        workGroup: workGroups.get(d.id),
      })),
      enterprise: {
        roleName: 'Lake-portal-enterprise',
        workGroup:
          t.toJSON().Resources[logicalIdOf(t, 'AWS::Athena::WorkGroup', 'Portal/Enterprise/Query')].Properties
            .Name,
      },
    });
    expect(file?.departments.map((d) => d.id)).toEqual(['health', 'statistics', 'civil_affairs']);
    expect(workGroups.get('health')).toBe('lake-health-analysts');
  });

  it('names the workgroups the department stacks make, however many to a stack', () => {
    const grouped = generatedLake(30, 7);
    for (const lake of [province, grouped]) {
      const file = lake.core.portal?.api.configFile;
      expect(file?.departments).toHaveLength(30);
      expect(new Map(file?.departments.map((d) => [d.id, d.workGroup]))).toEqual(madeWorkGroups(lake));
    }
    expect(grouped.departmentStacks.map((s) => s.stackName)).toEqual([
      'Lake-departments-01',
      'Lake-departments-02',
      'Lake-departments-03',
      'Lake-departments-04',
      'Lake-departments-05',
    ]);
  });

  it('cuts a workgroup name past 64 characters, keeping it unique, in the file and in the stack', () => {
    const id = 'a_department_whose_identifier_is_long_enough_to_be_cut';
    const other = `${id}_too`;
    const departments = [
      { id, name: 'x', uploaders: [] },
      { id: other, name: 'y', uploaders: [] },
    ];
    const name = analystWorkGroupName('Lake', id);
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^lake-a_department_whose_identifier_is_long_enough_to_be-[0-9a-f]{8}$/);
    expect(analystWorkGroupName('Lake', other)).not.toBe(name);
    const lake = buildFixtureLake({ ...fixtureInputs(), departments, datasets: [] });
    expect(madeWorkGroups(lake).get(id)).toBe(name);
    expect(lake.core.portal?.api.configFile.departments.find((d) => d.id === id)?.workGroup).toBe(name);
  });

  it('refuses a department stack whose workgroup is not the one the file names', () => {
    const api = fixture.core.portal?.api;
    expect(() => api?.checkWorkGroup('health', 'another-workgroup')).toThrow(
      /portal-api-config\.json names workgroup lake-health-analysts for department health, but its stack made another-workgroup: give the department's LakeQuery the name analystWorkGroupName/,
    );
    expect(() => api?.checkWorkGroup('tourism', 'x')).toThrow(/no department tourism/);
  });

  it('refuses a value unresolved at synthesis, naming the department and the field', () => {
    const stack = fastStack();
    const lake = {
      landingBucket: 'landing',
      quarantineBucket: 'quarantine',
      openDataUrl: 'https://open.example.cn/',
      accessTable: 'access',
      departmentRolePath: '/lake/departments/',
      departments: [
        { id: 'health', name: '卫健委', database: 'lake_health', uploadRole: 'Lake-upload-health' },
      ],
    };
    expect(portalApiConfigFile(lake).departments).toEqual(lake.departments);
    // A name only known at deploy, as a workgroup referenced from another stack would be.
    const workGroup = stack.stackId;
    expect(Token.isUnresolved(workGroup)).toBe(true);
    expect(() =>
      portalApiConfigFile({ ...lake, departments: [{ ...lake.departments[0], workGroup }] }),
    ).toThrow(
      `the portal API's ${DEFAULT_PORTAL_API_CONFIG_FILE} would hold department health's workGroup as an unresolved token`,
    );
  });
});
