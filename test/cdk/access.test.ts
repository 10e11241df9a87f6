import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LakeFormationSetup } from '../../lib/access/lake-formation.ts';
import { PERSONA_CLASSIFICATIONS, personaGrants, TagGrants } from '../../lib/access/tag-grants.ts';
import { LakeStorage } from '../../lib/storage/lake-storage.ts';
import { buildFixtureLake, defaultInputs, fastApp, fastStack } from './helpers.ts';

const lake = buildFixtureLake();
const core = lake.coreTemplate;
const health = lake.templates.get('Lake-health') as Template;

type Grant = {
  Principal: { DataLakePrincipalIdentifier: string };
  Resource: { LFTagPolicy: { ResourceType: string; Expression: unknown } };
  Permissions: string[];
};
/** The personas' grants (the access API's grantable permissions are test/cdk/access-requests.test.ts's). */
function grants(template: Template): Grant[] {
  // The persona grants only: not the access API's grantable SELECT, nor the portal's DESCRIBE (portal.test.ts),
  // nor the portal enterprise role's ceiling (portal-enterprise.test.ts).
  return Object.entries(template.findResources('AWS::LakeFormation::PrincipalPermissions'))
    .filter(
      ([id]) =>
        !id.startsWith('AccessGrantable') &&
        !id.startsWith('PortalCatalogDescribe') &&
        !/EnterpriseOpening/.test(id),
    )
    .map(([, r]) => r.Properties);
}
const expr = (classification: string[] | undefined, departments: string[]) => [
  ...(classification ? [{ TagKey: 'classification', TagValues: classification }] : []),
  { TagKey: 'department', TagValues: departments },
];

describe('LakeFormationSetup', () => {
  it('adds the configured admins and the deployment role to the administrators, LF-only by default', () => {
    core.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      Admins: [
        { DataLakePrincipalIdentifier: 'arn:aws:iam::111122223333:role/lake-admin' },
        {
          DataLakePrincipalIdentifier: {
            'Fn::Sub': Match.stringLikeRegexp(
              '^arn:\\$\\{AWS::Partition\\}:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-',
            ),
          },
        },
      ],
      MutationType: 'APPEND',
      CreateDatabaseDefaultPermissions: [],
      CreateTableDefaultPermissions: [],
    });
  });

  it('creates the classification and department LF-tags after the settings', () => {
    const tags = core.findResources('AWS::LakeFormation::Tag');
    expect(Object.values(tags).map((t) => [t.Properties.TagKey, t.Properties.TagValues])).toEqual([
      ['classification', ['public', 'internal', 'restricted']],
      ['department', ['health', 'statistics', 'civil_affairs']],
      ['sharing', ['unconditional', 'conditional', 'none']],
    ]);
    for (const tag of Object.values(tags))
      expect(tag.DependsOn).toEqual([expect.stringMatching(/^LakeFormationSettings/)]);
  });

  it('registers curated/ with a data access role that may only read curated', () => {
    core.hasResourceProperties('AWS::LakeFormation::Resource', {
      ResourceArn: {
        'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageCurated'), 'Arn'] }, '/curated']],
      },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeFormationDataAccessRole'), 'Arn'] },
      UseServiceLinkedRole: false,
      HybridAccessEnabled: false,
    });
    core.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'lakeformation.amazonaws.com' },
          },
        ],
      },
    });
    const [roleId] = Object.keys(
      core.findResources('AWS::IAM::Role', {
        Metadata: { 'aws:cdk:path': Match.stringLikeRegexp('DataAccessRole/Resource') },
      }),
    );
    const policies = core.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((s) => s.Action)).toEqual([
      's3:GetObject',
      ['s3:ListBucket', 's3:GetBucketLocation'],
      'kms:Decrypt',
    ]);
    expect(statements[0].Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StorageCurated/), 'Arn'] }, '/curated/*']],
    });
    expect(statements[2].Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^StorageCuratedKey/), 'Arn'],
    });
  });

  it('needs an administrator when the deployment role is left out', () => {
    const stack = fastStack();
    const storage = new LakeStorage(stack, 'Storage');
    expect(
      () => new LakeFormationSetup(stack, 'LF', { storage, departments: ['a'], adminDeploymentRole: false }),
    ).toThrow(/no administrator: list lakeFormation.admins/);
    expect(() => new LakeFormationSetup(stack, 'LF2', { storage, departments: [] })).toThrow(
      /at least one department/,
    );
  });
});

describe('persona grants', () => {
  it("grants public analysts SELECT on every department's public tables and DESCRIBE on the databases", () => {
    const all = ['health', 'statistics', 'civil_affairs'];
    expect(grants(core)).toEqual([
      {
        Catalog: '111122223333',
        Principal: { DataLakePrincipalIdentifier: 'arn:aws:iam::111122223333:role/public-analyst' },
        Resource: {
          LFTagPolicy: {
            CatalogId: '111122223333',
            ResourceType: 'TABLE',
            // Across departments: only tables shared unconditionally (conditional ones by access request).
            Expression: [...expr(['public'], all), { TagKey: 'sharing', TagValues: ['unconditional'] }],
          },
        },
        Permissions: ['SELECT', 'DESCRIBE'],
        PermissionsWithGrantOption: [],
      },
      {
        Catalog: '111122223333',
        Principal: { DataLakePrincipalIdentifier: 'arn:aws:iam::111122223333:role/public-analyst' },
        Resource: {
          LFTagPolicy: {
            CatalogId: '111122223333',
            ResourceType: 'DATABASE',
            Expression: expr(undefined, all),
          },
        },
        Permissions: ['DESCRIBE'],
        PermissionsWithGrantOption: [],
      },
    ]);
  });

  it("grants a department's analysts its public and internal data, and its restricted readers all of it", () => {
    const byPrincipal = (arn: string) =>
      grants(health)
        .filter((g) => g.Principal.DataLakePrincipalIdentifier === arn)
        .map((g) => [g.Resource.LFTagPolicy.ResourceType, g.Resource.LFTagPolicy.Expression, g.Permissions]);
    expect(byPrincipal('arn:aws:iam::111122223333:role/health-analyst')).toEqual([
      ['TABLE', expr(['public', 'internal'], ['health']), ['SELECT', 'DESCRIBE']],
      ['DATABASE', expr(undefined, ['health']), ['DESCRIBE']],
    ]);
    expect(byPrincipal('arn:aws:iam::111122223333:role/health-investigator')).toEqual([
      ['TABLE', expr(['public', 'internal', 'restricted'], ['health']), ['SELECT', 'DESCRIBE']],
      ['DATABASE', expr(undefined, ['health']), ['DESCRIBE']],
    ]);
    // Besides lake.yaml's personas, each department's portal analyst role (portal-analyst.test.ts) reads
    // what a department analyst reads.
    const portal = grants(health).filter((g) => JSON.stringify(g.Principal).includes('PortalAnalystRole'));
    const all = ['health', 'statistics', 'civil_affairs'];
    expect(
      portal.map((g) => [g.Resource.LFTagPolicy.ResourceType, g.Resource.LFTagPolicy.Expression]),
    ).toEqual([
      ['TABLE', expr(['public', 'internal'], ['health'])],
      ['DATABASE', expr(undefined, ['health'])],
      ['TABLE', [...expr(['public', 'internal'], all), { TagKey: 'sharing', TagValues: ['unconditional'] }]],
      ['DATABASE', expr(undefined, all)],
    ]);
    expect(grants(health)).toHaveLength(8);
    const statistics = grants(lake.templates.get('Lake-statistics') as Template);
    expect(statistics.every((g) => JSON.stringify(g.Principal).includes('PortalAnalystRole'))).toBe(true);
  });

  it('grants nothing with a grant option (but the access API its grantable SELECT), and never to the transformer', () => {
    for (const t of [core, ...lake.templates.values()]) {
      for (const g of grants(t)) {
        expect(g).toMatchObject({ PermissionsWithGrantOption: [] });
        expect(JSON.stringify(g.Principal)).not.toMatch(/Transformer/);
      }
    }
  });

  it("grants only the portal's department analyst roles when lake.yaml names no persona", () => {
    const plain = buildFixtureLake(defaultInputs());
    expect(grants(plain.coreTemplate)).toHaveLength(0);
    for (const t of plain.templates.values()) {
      // Its own tables and database, and every department's unconditionally shared tables and databases,
      // to the department's portal analyst role.
      expect(grants(t)).toHaveLength(4);
      for (const g of grants(t)) expect(JSON.stringify(g.Principal)).toMatch(/PortalAnalystRole/);
    }
  });

  it("keeps a grant's construct id when the list is reordered, and drops duplicates", () => {
    const ids = (principals: string[]) => {
      const stack = new Stack(fastApp(), 'S');
      const g = new TagGrants(stack, 'G', {
        grants: [
          ...personaGrants(principals, 'department', ['health']),
          ...personaGrants(principals, 'restricted', ['health']),
        ],
      });
      return g.permissions.map((p) => p.node.id).sort();
    };
    const a = ids(['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b']);
    expect(ids(['arn:aws:iam::1:role/b', 'arn:aws:iam::1:role/a'])).toEqual(a);
    // 2 principals x (2 table grants + 1 shared database grant)
    expect(a).toHaveLength(6);
    expect(PERSONA_CLASSIFICATIONS.public).toEqual(['public']);
  });
});
