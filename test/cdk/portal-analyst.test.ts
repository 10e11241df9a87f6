/**
 * The portal analyst roles (lib/departments/portal-analyst.ts): one per department when the portal is
 * deployed, trusted by the portal API's role alone and for `lake-cli-portal-*` sessions alone, holding the
 * department analysts' policy, the department persona's Lake Formation grants and the analysts' access API
 * routes; named in the core stack as an analyst (results bucket and key, access API, the portal's config).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PORTAL_ANALYST_ROUTES_SID } from '../../lib/departments/portal-analyst.ts';
import {
  DEPARTMENT_ROLE_PATH,
  MAX_ROLE_NAME_LENGTH,
  PORTAL_SESSION_PREFIX,
  portalAnalystRoleName,
  uploadRoleName,
} from '../../lib/departments/upload-role-name.ts';
import { buildFixtureLake, fixtureInputs, logicalIdOf, policyStatements } from './helpers.ts';

const lake = buildFixtureLake();
const core = lake.coreTemplate;
const health = lake.templates.get('Lake-health') as Template;
const DEPARTMENTS = lake.core.inputs.departments.map((d) => d.id);
const ROLE_TAIL = (d: string) => `:role/lake/departments/Lake-portal-analyst-${d}`;
/** Each department with its stack's template. */
const BY_DEPARTMENT = lake.departmentStacks.flatMap((s) =>
  s.departments.map((d) => [d.departmentId, lake.templates.get(s.node.id) as Template] as const),
);

/** The one resource of `type` in `template` whose construct path includes `part`. */
function resource(template: Template, type: string, part: string) {
  const id = logicalIdOf(template, type, part);
  return { id, properties: template.toJSON().Resources[id].Properties as Record<string, unknown> };
}

describe('the portal analyst role', () => {
  it('is named as the core stack names it, under the department roles’ path, in each department', () => {
    for (const [id, template] of BY_DEPARTMENT) {
      const role = resource(template, 'AWS::IAM::Role', `Dept-${id}/PortalAnalyst/Role`);
      expect(role.properties.RoleName).toBe(`Lake-portal-analyst-${id}`);
      expect(role.properties.Path).toBe(DEPARTMENT_ROLE_PATH);
    }
    expect(portalAnalystRoleName('Lake', 'civil_affairs')).toBe('Lake-portal-analyst-civil_affairs');
    const long = portalAnalystRoleName('L'.repeat(40), 'provincial_ecological_environment_bureau');
    expect(long).toHaveLength(MAX_ROLE_NAME_LENGTH);
    expect(long).toMatch(/-[0-9a-f]{8}$/);
    expect(long).not.toBe(uploadRoleName('L'.repeat(40), 'provincial_ecological_environment_bureau'));
  });

  it('trusts only the portal API’s role, named, and only in lake-cli-portal-* sessions', () => {
    const role = resource(health, 'AWS::IAM::Role', 'Dept-health/PortalAnalyst/Role');
    const trust = role.properties.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] };
    expect(trust.Statement).toHaveLength(1);
    const [statement] = trust.Statement;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Condition: { StringLike: { 'sts:RoleSessionName': `${PORTAL_SESSION_PREFIX}*` } },
    });
    const principal = JSON.stringify(statement.Principal);
    expect(principal).toContain(':role/Lake-portal-api');
    expect(principal).not.toMatch(/ImportValue|\*/);
  });

  it('holds the department analysts’ policy and may call only the analysts’ routes of the access API', () => {
    const role = resource(health, 'AWS::IAM::Role', 'Dept-health/PortalAnalyst/Role');
    const analystPolicy = logicalIdOf(health, 'AWS::IAM::ManagedPolicy', 'Dept-health/Query/AnalystPolicy');
    expect(role.properties.ManagedPolicyArns).toEqual([{ Ref: analystPolicy }]);
    const inline = policyStatements(health).filter(({ policy }) =>
      JSON.stringify(health.toJSON().Resources[policy].Properties.Roles ?? []).includes(role.id),
    );
    expect(inline.map((s) => s.statement.Sid)).toEqual([PORTAL_ANALYST_ROUTES_SID]);
    const [routes] = inline;
    expect(routes.statement.Action).toBe('execute-api:Invoke');
    const resources = JSON.stringify(routes.statement.Resource);
    for (const route of ['/v1/POST/requests"', '/v1/GET/requests"', '/v1/GET/log"'])
      expect(resources).toContain(route);
    expect(resources).not.toContain('departments');
  });

  it('is granted its own public and internal tables, and every department’s unconditionally shared ones', () => {
    const role = resource(health, 'AWS::IAM::Role', 'Dept-health/PortalAnalyst/Role');
    const grants = Object.values(health.findResources('AWS::LakeFormation::PrincipalPermissions')).filter(
      (g) => JSON.stringify(g.Properties.Principal).includes(role.id),
    );
    expect(grants).toHaveLength(4);
    for (const g of grants) expect(g.Properties.PermissionsWithGrantOption).toEqual([]);
    const expressions = (type: string) =>
      grants
        .filter((g) => g.Properties.Resource.LFTagPolicy.ResourceType === type)
        .map((g) =>
          (g.Properties.Resource.LFTagPolicy.Expression as { TagKey: string; TagValues: string[] }[]).map(
            (e) => [e.TagKey, e.TagValues],
          ),
        );
    const all = ['health', 'statistics', 'civil_affairs'];
    expect(expressions('TABLE')).toEqual([
      [
        ['classification', ['public', 'internal']],
        ['department', ['health']],
      ],
      [
        ['classification', ['public', 'internal']],
        ['department', all],
        ['sharing', ['unconditional']],
      ],
    ]);
    expect(expressions('DATABASE')).toEqual([[['department', ['health']]], [['department', all]]]);
    const table = grants.find((g) => g.Properties.Resource.LFTagPolicy.ResourceType === 'TABLE');
    expect(table?.Properties.Permissions).toEqual(['SELECT', 'DESCRIBE']);
    // Grant ids come from the role's name, not from its ARN's token: the same on every synthesis.
    const again = buildFixtureLake().templates.get('Lake-health') as Template;
    const ids = (t: Template) =>
      Object.keys(t.findResources('AWS::LakeFormation::PrincipalPermissions'))
        .filter((id) => id.startsWith('DepthealthAnalysts'))
        .sort();
    expect(ids(again)).toEqual(ids(health));
  });

  it('tells the portal API each department’s role and its analysts’ workgroup, and lets it assume the roles', () => {
    // The configuration file the function reads beside its handler (written at bundling).
    const file = lake.core.portal?.api.configFile;
    expect(file?.departmentRolePath).toBe('/lake/departments/');
    for (const [id, template] of BY_DEPARTMENT) {
      const workGroup = resource(template, 'AWS::Athena::WorkGroup', `Dept-${id}/Query/WorkGroup`);
      const department = file?.departments.find((d) => d.id === id);
      expect(department?.workGroup).toBe(workGroup.properties.Name);
      expect(`:role${file?.departmentRolePath}${department?.portalAnalystRole}`).toBe(ROLE_TAIL(id));
    }
    const assume = policyStatements(core).filter(
      ({ statement }) => statement.Sid === 'ActAsDepartmentAnalysts',
    );
    expect(assume.length).toBeGreaterThan(0);
    const resources = JSON.stringify(assume.map(({ statement }) => statement.Resource));
    for (const d of DEPARTMENTS) expect(resources).toContain(ROLE_TAIL(d));
    expect(resources).not.toMatch(/\*/);
    expect(assume.every(({ statement }) => statement.Action === 'sts:AssumeRole')).toBe(true);
  });

  it('is an analyst of the query results’ bucket and key, by its exact ARN', () => {
    const bucket = logicalIdOf(core, 'AWS::S3::Bucket', 'Storage/QueryResults/Resource');
    const policy = Object.values(core.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucket }),
    );
    const deny = JSON.stringify(policy?.Properties.PolicyDocument);
    const key = JSON.stringify(
      core.toJSON().Resources[logicalIdOf(core, 'AWS::KMS::Key', 'Storage/QueryKey')].Properties.KeyPolicy,
    );
    for (const d of DEPARTMENTS) {
      expect(deny).toContain(`${ROLE_TAIL(d)}"`);
      expect(key).toContain(`${ROLE_TAIL(d)}"`);
    }
  });

  it('may ask through the access API’s resource policy, which names the roles by their lake’s prefix', () => {
    const api = resource(core, 'AWS::ApiGateway::RestApi', 'Access/Api/Resource');
    const statements = (api.properties.Policy as { Statement: Record<string, unknown>[] }).Statement;
    const ask = statements.find((s) => s.Sid === 'OnlyAnalystsAsk');
    expect(ask?.Effect).toBe('Deny');
    const condition = ask?.Condition as Record<string, Record<string, unknown>>;
    expect(Object.keys(condition).sort()).toEqual(['ArnNotEquals', 'ArnNotLike']);
    expect(JSON.stringify(condition.ArnNotLike)).toContain(':role/lake/departments/Lake-portal-analyst-*"');
    expect(lake.core.access.bundle.principals.portalAnalysts).toEqual(
      Object.fromEntries(DEPARTMENTS.map((d) => [d, `Lake-portal-analyst-${d}`])),
    );
  });

  it('does not exist, nor is named anywhere, without the portal', () => {
    const off = buildFixtureLake(fixtureInputs({ portal: { enabled: false, threatProtection: true } }));
    for (const t of [off.coreTemplate, ...off.templates.values()])
      expect(JSON.stringify(t.toJSON())).not.toContain('portal-analyst');
    expect(off.core.access.bundle.principals.portalAnalysts).toBeUndefined();
    const api = resource(off.coreTemplate, 'AWS::ApiGateway::RestApi', 'Access/Api/Resource');
    const ask = (api.properties.Policy as { Statement: Record<string, unknown>[] }).Statement.find(
      (s) => s.Sid === 'OnlyAnalystsAsk',
    );
    expect(Object.keys(ask?.Condition as object)).toEqual(['ArnNotEquals']);
  });
});
