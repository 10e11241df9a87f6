/**
 * Conditional opening in the deployed lake (lib/portal/portal-enterprise.ts): the portal's enterprise role,
 * trusted by the portal API's role in `lake-cli-portal-*` sessions only; its Lake Formation ceiling (the
 * public, non-personal columns of the conditionally opened tables, by name, nothing else); its own
 * workgroup and results prefix inside the data perimeter; and the access API's enterprise routes, which
 * only it may call.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENTERPRISE_AUDIENCE, openingColumns } from '../../lib/portal/portal-enterprise.ts';
import type { DatasetContract } from '../../src/contracts/schema.ts';
import { buildFixtureLake, fixtureInputs, logicalIdOf, policyStatements } from './helpers.ts';

const lake = buildFixtureLake();
const core = lake.coreTemplate;
const json = (v: unknown) => JSON.stringify(v);
const ROLE_ARN_SUFFIX = ':role/Lake-portal-enterprise';

function enterpriseRole(template: Template = core) {
  const id = logicalIdOf(template, 'AWS::IAM::Role', 'Portal/Enterprise/Role');
  return { id, role: template.findResources('AWS::IAM::Role')[id] };
}

/** Every Lake Formation grant of any stack to the enterprise role. */
function enterpriseGrants(built = lake) {
  return [built.coreTemplate, ...built.templates.values()].flatMap((t) =>
    Object.values(t.findResources('AWS::LakeFormation::PrincipalPermissions')).filter((p) =>
      json(p.Properties.Principal).includes('Lake-portal-enterprise'),
    ),
  );
}

describe('the portal enterprise role', () => {
  it('is named for the lake and trusted by the portal API role, in lake-cli-portal-* sessions only', () => {
    const { role } = enterpriseRole();
    expect(role.Properties.RoleName).toBe('Lake-portal-enterprise');
    const statements = role.Properties.AssumeRolePolicyDocument.Statement as Record<string, unknown>[];
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Condition: { StringLike: { 'sts:RoleSessionName': 'lake-cli-portal-*' } },
    });
    expect(json((statements[0].Principal as { AWS: unknown }).AWS)).toMatch(/:role\/Lake-portal-api"/);
    // The portal API's role may assume it (and that is how it is reached).
    const assume = policyStatements(core).filter(({ statement }) => statement.Sid === 'ActForEnterprises');
    expect(assume).toHaveLength(1);
    expect(assume[0].statement.Resource).toEqual({ 'Fn::GetAtt': [enterpriseRole().id, 'Arn'] });
  });

  it('selects only the public, non-personal columns of conditionally opened tables, by name', () => {
    const grants = enterpriseGrants();
    // No tag-expression grant: the classification tags do not tell personal columns from public ones.
    expect(grants.filter((g) => g.Properties.Resource.LFTagPolicy)).toEqual([]);
    const tables = grants.filter((g) => g.Properties.Resource.TableWithColumns);
    expect(tables).toHaveLength(1);
    const t = tables[0].Properties;
    expect(t.Permissions).toEqual(['SELECT']);
    expect(t.PermissionsWithGrantOption).toEqual([]);
    expect(t.Resource.TableWithColumns).toMatchObject({ DatabaseName: 'lake_health', Name: 'clinics' });
    const columns = t.Resource.TableWithColumns.ColumnNames as string[];
    expect(columns).toEqual(expect.arrayContaining(['clinic_id', 'clinic_name', 'opened_on', 'beds']));
    // Not the restricted ID number (personal data), not the internal rating.
    expect(columns).not.toContain('owner_id_number');
    expect(columns).not.toContain('rating');
    // Not the tables that are not conditionally opened (visits, statistics' population).
    const resources = json(grants.map((g) => g.Properties.Resource));
    expect(resources).not.toContain('visits');
    expect(resources).not.toContain('population');
    const databases = grants.filter((g) => g.Properties.Resource.Database);
    expect(databases.map((g) => [g.Properties.Resource.Database.Name, g.Properties.Permissions])).toEqual([
      ['lake_health', ['DESCRIBE']],
    ]);
    expect(grants.filter((g) => g.Properties.Resource.Table)).toEqual([]);
  });

  it('leaves out a personal column even when it is classified public', () => {
    const inputs = fixtureInputs();
    const datasets = inputs.datasets.map(
      (d): DatasetContract =>
        d.name === 'clinics'
          ? {
              ...d,
              fields: [
                ...d.fields,
                { name: 'license_holder', type: 'string', pii: 'person_name', protect: 'mask' },
              ] as DatasetContract['fields'],
            }
          : d,
    );
    const clinics = datasets.find((d) => d.name === 'clinics') as DatasetContract;
    expect(openingColumns(clinics)).not.toContain('license_holder');
    expect(openingColumns(clinics)).toContain('clinic_name');
    const built = buildFixtureLake({ ...inputs, datasets });
    const columns = enterpriseGrants(built).flatMap(
      (g) => (g.Properties.Resource.TableWithColumns?.ColumnNames as string[] | undefined) ?? [],
    );
    expect(columns).toContain('clinic_name');
    expect(columns).not.toContain('license_holder');
  });

  it('queries in a workgroup of its own, its results in its own prefix inside the data perimeter', () => {
    const { role } = enterpriseRole();
    const workgroups = Object.entries(core.findResources('AWS::Athena::WorkGroup')).filter(([, w]) =>
      String(w.Metadata?.['aws:cdk:path']).includes('Portal/Enterprise/'),
    );
    expect(workgroups).toHaveLength(1);
    const location = json(
      workgroups[0][1].Properties.WorkGroupConfiguration.ResultConfiguration.OutputLocation,
    );
    expect(location).toContain(`/athena/${ENTERPRISE_AUDIENCE}/`);
    expect(workgroups[0][1].Properties.WorkGroupConfiguration.EnforceWorkGroupConfiguration).toBe(true);
    // The workgroup's analyst policy is the role's, and no other workgroup's.
    expect(role.Properties.ManagedPolicyArns).toHaveLength(1);
    const policy = logicalIdOf(core, 'AWS::IAM::ManagedPolicy', 'Portal/Enterprise/Query/AnalystPolicy');
    expect(role.Properties.ManagedPolicyArns[0]).toEqual({ Ref: policy });
    // The results bucket and key admit it by its exact ARN.
    const perimeter = json(core.findResources('AWS::S3::BucketPolicy'));
    expect(perimeter).toContain(ROLE_ARN_SUFFIX);
    // The portal's function is told the role (by name: its ARN is the role ARN prefix and the name) and the
    // workgroup, in its configuration file.
    expect(lake.core.portal?.api.configFile.enterprise).toEqual({
      roleName: role.Properties.RoleName,
      workGroup: workgroups[0][1].Properties.Name,
    });
    expect(`:role/${role.Properties.RoleName}`).toBe(ROLE_ARN_SUFFIX);
  });

  it('may call the access API’s enterprise routes only; nobody else may call them', () => {
    const { id } = enterpriseRole();
    const own = policyStatements(core).filter(
      ({ statement }) =>
        json(statement).includes('execute-api:Invoke') && json(statement).includes('enterprises'),
    );
    expect(own).toHaveLength(1);
    const resources = json(own[0].statement.Resource);
    expect(resources).toContain('/POST/enterprises/*/requests');
    expect(resources).toContain('/GET/enterprises/*/requests');
    expect(resources).not.toContain('departments');
    const roles = Object.values(core.findResources('AWS::IAM::Policy')).filter((p) =>
      json(p.Properties.PolicyDocument).includes('/POST/enterprises/'),
    );
    expect(roles.map((p) => p.Properties.Roles)).toEqual([[{ Ref: id }]]);
    const api =
      core.findResources('AWS::ApiGateway::RestApi')[
        logicalIdOf(core, 'AWS::ApiGateway::RestApi', 'Access/Api')
      ];
    const deny = (api.Properties.Policy.Statement as Record<string, unknown>[]).find(
      (s) => s.Sid === 'OnlyThePortalAsksForEnterprises',
    );
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Resource: ['execute-api:/v1/POST/enterprises/*', 'execute-api:/v1/GET/enterprises/*'],
    });
    expect(json(deny?.Condition)).toContain(`"ArnNotEquals"`);
    expect(json(deny?.Condition)).toContain(ROLE_ARN_SUFFIX);
    // The access API's bundle names the role, to trust the enterprise it names.
    expect(lake.core.access.bundle.principals.enterprise).toBe('Lake-portal-enterprise');
  });

  it('is not made without the portal, and then nobody asks for an enterprise', () => {
    const inputs = fixtureInputs();
    const off = buildFixtureLake({
      ...inputs,
      config: { ...inputs.config, portal: { ...inputs.config.portal, enabled: false } },
    });
    expect(enterpriseGrants(off)).toEqual([]);
    expect(off.core.access.bundle.principals.enterprise).toBeUndefined();
    const api =
      off.coreTemplate.findResources('AWS::ApiGateway::RestApi')[
        logicalIdOf(off.coreTemplate, 'AWS::ApiGateway::RestApi', 'Access/Api')
      ];
    const deny = (api.Properties.Policy.Statement as Record<string, unknown>[]).find(
      (s) => s.Sid === 'OnlyThePortalAsksForEnterprises',
    );
    expect(deny?.Condition).toBeUndefined();
  });
});
