import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildLake, departmentStackName, MAX_STACK_RESOURCES, resourceCount } from '../../lib/lake-app.ts';
import { CORE_OUTPUTS, pascalId, readLakeOutputs } from '../../src/lake/outputs.ts';
import { buildFixtureLake, defaultInputs, FIXTURE_HANDLER, fastApp, fixtureInputs, ROOT } from './helpers.ts';

describe('the lake app', () => {
  const lake = buildFixtureLake();

  it('builds a core stack and one stack per department, each depending on the core', () => {
    expect(lake.core.stackName).toBe('Lake');
    expect(lake.departmentStacks.map((s) => s.stackName)).toEqual([
      'Lake-health',
      'Lake-statistics',
      'Lake-civil-affairs',
    ]);
    for (const stack of lake.departmentStacks) expect(stack.dependencies).toContain(lake.core);
  });

  it('groups departments when lake.yaml asks for it', () => {
    const inputs = fixtureInputs();
    const grouped = buildFixtureLake({
      ...inputs,
      config: { ...inputs.config, stacks: { departmentsPerStack: 2 } },
    });
    expect(grouped.departmentStacks.map((s) => s.stackName)).toEqual([
      'Lake-departments-01',
      'Lake-departments-02',
    ]);
    expect(grouped.templates.get('Lake-departments-01')?.findResources('AWS::Glue::Database')).toHaveProperty(
      Object.keys(
        grouped.templates.get('Lake-departments-01')?.findResources('AWS::Glue::Database') ?? {},
      )[0],
    );
    expect(
      Object.keys(grouped.templates.get('Lake-departments-01')?.findResources('AWS::Glue::Database') ?? {}),
    ).toHaveLength(2);
    expect(departmentStackName('Lake', [{ id: 'civil_affairs', name: 'x', uploaders: [] }], 0, 1)).toBe(
      'Lake-civil-affairs',
    );
  });

  it('outputs what the CLI needs, and reads them back from an outputs file', () => {
    const outputs = Object.keys(lake.coreTemplate.findOutputs('*')).filter(
      (k) => !k.startsWith('ExportsOutput'),
    );
    expect(outputs.sort()).toEqual(Object.values(CORE_OUTPUTS).sort());
    const health = lake.templates.get('Lake-health') as Template;
    const [key, output] = Object.entries(health.findOutputs('*'))[0];
    expect(key).toBe(`Department${pascalId('health')}`);
    const value = JSON.stringify(output.Value);
    for (const field of [
      'database',
      'uploadRoleArn',
      'reportsTopicArn',
      'workGroup',
      'analystPolicyArn',
      'restrictedWorkGroup',
      'restrictedAnalystPolicyArn',
    ]) {
      expect(value).toContain(`\\"${field}\\":`);
    }
    expect(value).toContain('\\"database\\":\\"lake_health\\"');

    // What `cdk deploy --all --outputs-file` writes, for two of the stacks.
    const file = {
      Lake: Object.fromEntries(Object.values(CORE_OUTPUTS).map((k) => [k, `value-of-${k}`])),
      'Lake-health': {
        DepartmentHealth: JSON.stringify({
          id: 'health',
          database: 'lake_health',
          uploadRoleArn: 'r',
          reportsTopicArn: 't',
        }),
      },
    };
    const read = readLakeOutputs(file);
    expect(read.core.landingBucket).toBe('value-of-LandingBucket');
    expect(read.core.workGroup).toBe('value-of-WorkGroup');
    expect(read.departments.health).toEqual({
      id: 'health',
      database: 'lake_health',
      uploadRoleArn: 'r',
      reportsTopicArn: 't',
    });
    expect(() => readLakeOutputs({ Other: {} })).toThrow(/deploy the lake first/);
    expect(pascalId('civil_affairs')).toBe('CivilAffairs');
  });

  it('counts resources per stack and stays well inside the limit', () => {
    for (const stack of [lake.core, ...lake.departmentStacks]) {
      const count = resourceCount(stack);
      expect(count).toBe(Object.keys(Template.fromStack(stack).toJSON().Resources).length);
      expect(count).toBeLessThan(MAX_STACK_RESOURCES);
    }
  });

  it('rejects a stack name CloudFormation would refuse', () => {
    expect(() =>
      buildLake(fastApp(), fixtureInputs(), { stackName: 'my_lake', transformerEntry: FIXTURE_HANDLER }),
    ).toThrow(/stack name "my_lake" must start with a letter/);
  });

  it('lets EventBridge and CloudWatch encrypt with the ops key, for this account only', () => {
    lake.coreTemplate.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Public data lake: queues, topics and logs',
    });
    const [key] = Object.values(
      lake.coreTemplate.findResources('AWS::KMS::Key', {
        Properties: { Description: 'Public data lake: queues, topics and logs' },
      }),
    );
    const statements = key.Properties.KeyPolicy.Statement;
    for (const service of ['events', 'cloudwatch']) {
      expect(statements).toContainEqual({
        Sid: `Allow-${service}`,
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
        Effect: 'Allow',
        Principal: { Service: `${service}.amazonaws.com` },
        Resource: '*',
      });
    }
    // Every other statement: the account root, EventBridge to the queue (this account only), CloudWatch
    // Logs for this account's log groups, and this account through Secrets Manager only (the portal's
    // origin secret, lib/portal/origin-secret.ts: encrypt/decrypt, then grants). The hash-key secret has a
    // key of its own.
    const others = statements.filter((s: { Sid?: string }) => !s.Sid?.startsWith('Allow-'));
    expect(
      others.map((s: { Principal: unknown; Condition?: unknown }) => [
        JSON.stringify(s.Principal),
        s.Condition,
      ]),
    ).toEqual([
      [expect.stringContaining(':root'), undefined],
      ['{"Service":"events.amazonaws.com"}', { StringEquals: { 'aws:SourceAccount': '111122223333' } }],
      [
        '{"Service":{"Fn::Join":["",["logs.eu-west-1.",{"Ref":"AWS::URLSuffix"}]]}}',
        {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111122223333:log-group:*'],
              ],
            },
          },
        },
      ],
      [
        expect.stringContaining(':111122223333:root'),
        { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      ],
      [
        expect.stringContaining(':111122223333:root'),
        { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      ],
    ]);
  });
});

describe('partitions', () => {
  it('writes no partition into any ARN: every template uses AWS::Partition', () => {
    const inputs = defaultInputs();
    const plain = { ...inputs, departments: inputs.departments.map((d) => ({ ...d, uploaders: [] })) };
    const lake = buildFixtureLake(plain);
    for (const stack of [lake.core, ...lake.departmentStacks]) {
      expect(JSON.stringify(Template.fromStack(stack).toJSON()), stack.stackName).not.toMatch(
        /arn:aws[a-z-]*:/,
      );
    }
  });

  it('has no hard-coded arn:aws: in the stack sources', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) =>
        statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)],
      );
    for (const file of [...files(join(ROOT, 'lib')), ...files(join(ROOT, 'bin'))]) {
      expect(readFileSync(file, 'utf8'), file).not.toContain('arn:aws:');
    }
  });
});
