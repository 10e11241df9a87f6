import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LAKE_DEFAULTS } from '../../lib/config/lake-config.ts';
import { ATHENA_ENGINE_VERSION, departmentAudiences, LakeQuery } from '../../lib/query/lake-query.ts';
import { LakeStorage } from '../../lib/storage/lake-storage.ts';
import { buildFixtureLake, fastStack, fixtureInputs } from './helpers.ts';

function queryStack(props: { bytesScannedCutoffPerQuery?: number; databasePrefix?: string } = {}) {
  const stack = fastStack();
  const storage = new LakeStorage(stack, 'Storage');
  const query = new LakeQuery(stack, 'Query', { storage, ...props });
  return { query, template: Template.fromStack(stack) };
}

describe('LakeQuery defaults', () => {
  const { query, template } = queryStack();

  it('enforces the workgroup configuration: KMS-encrypted results in the lake, a scan cutoff, engine 3', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: query.workGroupName,
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        RequesterPaysEnabled: false,
        BytesScannedCutoffPerQuery: LAKE_DEFAULTS.bytesScannedCutoffPerQuery,
        EngineVersion: { SelectedEngineVersion: ATHENA_ENGINE_VERSION },
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': [
              '',
              ['s3://', { Ref: Match.stringLikeRegexp('^StorageQueryResults') }, '/athena/public/'],
            ],
          },
          EncryptionConfiguration: {
            EncryptionOption: 'SSE_KMS',
            KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageQueryKey'), 'Arn'] },
          },
          ExpectedBucketOwner: '111122223333',
          AclConfiguration: { S3AclOption: 'BUCKET_OWNER_FULL_CONTROL' },
        },
      },
    });
    const [wg] = Object.values(template.findResources('AWS::Athena::WorkGroup'));
    expect(wg.DeletionPolicy).toBe('Retain');
    expect(query.workGroupName).toMatch(/^[a-z0-9-]{1,64}$/);
  });

  it('gives analysts the workgroup, catalog reads, Lake Formation data access and the results, nothing else', () => {
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    const statements = policy.Properties.PolicyDocument.Statement;
    const glue = (resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:glue:eu-west-1:111122223333:${resource}`]],
    });
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual([
      'UseWorkGroup',
      'ReadCatalog',
      'LakeFormationDataAccess',
      'QueryResultObjects',
      'QueryResultBucket',
      'QueryResultList',
      'QueryResultKey',
    ]);
    // Listing reaches the audience's own results prefix only.
    expect(statements[5]).toMatchObject({
      Action: 's3:ListBucket',
      Condition: { StringLike: { 's3:prefix': [`athena/${query.audience}/*`] } },
    });
    expect(statements[0].Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:athena:eu-west-1:111122223333:workgroup/${query.workGroupName}`,
        ],
      ],
    });
    expect(statements[0].Action).not.toContain('athena:*');
    expect(statements[1].Resource).toEqual([glue('catalog'), glue('database/*'), glue('table/*/*')]);
    expect(statements[1].Action.every((a: string) => /^glue:(Get|BatchGet|Search)/.test(a))).toBe(true);
    expect(statements[2]).toEqual({
      Sid: 'LakeFormationDataAccess',
      Action: 'lakeformation:GetDataAccess',
      Effect: 'Allow',
      Resource: '*',
    });
    expect(statements[3].Resource).toEqual({
      'Fn::Join': [
        '',
        [{ 'Fn::GetAtt': [expect.stringMatching(/^StorageQueryResults/), 'Arn'] }, '/athena/public/*'],
      ],
    });
    expect(statements[6].Condition).toEqual({ StringEquals: { 'kms:ViaService': expect.anything() } });
  });
});

describe('LakeQuery overrides', () => {
  it('keeps each audience in its own workgroup and results prefix', () => {
    const stack = fastStack();
    const storage = new LakeStorage(stack, 'Storage');
    const a = new LakeQuery(stack, 'A', { storage, audience: 'health' });
    const b = new LakeQuery(stack, 'B', { storage, audience: 'health-restricted' });
    expect(a.workGroupName).not.toBe(b.workGroupName);
    expect([a.resultsPrefix, b.resultsPrefix]).toEqual(['athena/health/', 'athena/health-restricted/']);
    const template = Template.fromStack(stack);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((p) =>
      JSON.stringify(p.Properties.PolicyDocument),
    );
    expect(policies[0]).toContain('/athena/health/*');
    expect(policies[0]).not.toContain('health-restricted');
    expect(policies[1]).toContain('/athena/health-restricted/*');
    expect(() => new LakeQuery(stack, 'C', { storage, audience: 'Health_1' })).toThrow(
      /audience "Health_1" must be/,
    );
  });

  it('refuses a second workgroup with the same results prefix in the same bucket, naming both', () => {
    const stack = fastStack();
    const storage = new LakeStorage(stack, 'Storage');
    new LakeQuery(stack, 'A', { storage, audience: 'health' });
    expect(() => new LakeQuery(stack, 'B', { storage, audience: 'health' })).toThrow(
      'LakeQuery Test/B and Test/A would both keep their results under athena/health/',
    );
    // The same audience over another results bucket is another prefix.
    const other = new LakeStorage(stack, 'Other');
    expect(new LakeQuery(stack, 'C', { storage: other, audience: 'health' }).resultsPrefix).toBe(
      'athena/health/',
    );
  });

  it('takes the scan cutoff and scopes catalog reads to the database prefix', () => {
    const { template } = queryStack({ bytesScannedCutoffPerQuery: 50_000_000, databasePrefix: 'lake_' });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 50_000_000 }),
    });
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(JSON.stringify(policy.Properties.PolicyDocument.Statement[1].Resource)).toContain(
      ':database/lake_*',
    );
  });

  it('rejects a cutoff Athena does not accept', () => {
    expect(() => queryStack({ bytesScannedCutoffPerQuery: 1000 })).toThrow(
      /bytesScannedCutoffPerQuery is 1000/,
    );
  });
});

describe('department workgroups', () => {
  const withDepartment = (id: string) => {
    const inputs = fixtureInputs();
    return { ...inputs, departments: [...inputs.departments, { id, name: id, uploaders: [] }] };
  };

  it("keep a department id and another department's restricted audience apart (health_restricted, health-restricted)", () => {
    expect(departmentAudiences('health')).toEqual({ analysts: 'health', restricted: 'health-restricted' });
    expect(departmentAudiences('health_restricted').analysts).toBe('health_restricted');
    const lake = buildFixtureLake(withDepartment('health_restricted'));
    const prefixes = lake.departmentStacks.flatMap((s) =>
      s.departments.flatMap((d) => [d.query.resultsPrefix, d.restrictedQuery.resultsPrefix]),
    );
    expect(prefixes).toContain('athena/health-restricted/');
    expect(prefixes).toContain('athena/health_restricted/');
    expect(prefixes).toContain('athena/civil_affairs/');
    expect(new Set([...prefixes, lake.core.query.resultsPrefix]).size).toBe(prefixes.length + 1);
  });

  it("refuse a department whose audience is the public analysts', naming both workgroups", () => {
    expect(() => buildFixtureLake(withDepartment('public'))).toThrow(
      /LakeQuery Lake-public\/Dept-public\/Query and Lake\/Query would both keep their results under athena\/public\/.*a department cannot be called "public"/,
    );
  });

  it('refuse a department id with the separator of the restricted audience', () => {
    expect(() => departmentAudiences('health-x')).toThrow(/department id "health-x" contains "-"/);
  });
});
