/**
 * The deployed side of sharing through access requests: the requests table (KMS, PITR, retained, written
 * by the access API only), the API (IAM auth on every method; a resource policy per route), the Lambda
 * and its expiry schedules, the sharing LF-tag, and the cross-department persona matching
 * sharing=unconditional only.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CORE_OUTPUTS } from '../../src/lake/outputs.ts';
import { buildFixtureLake, logicalIdOf, policyStatements } from './helpers.ts';

const lake = buildFixtureLake();
const core = lake.coreTemplate;
const json = (v: unknown) => JSON.stringify(v);

describe('the access requests table', () => {
  it('is encrypted with the lake key, recoverable to a point in time, and retained', () => {
    const tables = core.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(1);
    const [t] = Object.values(tables);
    expect(t.DeletionPolicy).toBe('Retain');
    expect(t.UpdateReplacePolicy).toBe('Retain');
    expect(t.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^OpsKey/), 'Arn'] },
      },
      DeletionProtectionEnabled: true,
    });
  });

  it('denies every writer but the access API', () => {
    const [t] = Object.values(core.findResources('AWS::DynamoDB::Table'));
    const statements = t.Properties.ResourcePolicy.PolicyDocument.Statement as Record<string, unknown>[];
    const fnRole = logicalIdOf(core, 'AWS::IAM::Role', 'Access/FunctionRole');
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [fnRole, 'Arn'] } } },
      }),
    );
  });
});

describe('the access API', () => {
  it('has IAM auth on every method', () => {
    const api = logicalIdOf(core, 'AWS::ApiGateway::RestApi', 'Access/Api');
    const methods = Object.values(core.findResources('AWS::ApiGateway::Method')).filter(
      (m) => m.Properties.RestApiId.Ref === api,
    );
    expect(methods.length).toBe(6);
    for (const m of methods) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
    core.hasOutput(CORE_OUTPUTS.accessApiUrl, {});
  });

  it('logs every call to its own log group, traces it, and throttles the stage', () => {
    const api = logicalIdOf(core, 'AWS::ApiGateway::RestApi', 'Access/Api');
    const logGroup = logicalIdOf(core, 'AWS::Logs::LogGroup', 'Access/ApiAccessLogs');
    const stages = Object.values(core.findResources('AWS::ApiGateway::Stage')).filter(
      (s) => s.Properties.RestApiId.Ref === api,
    );
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.Properties;
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [logGroup, 'Arn'] });
    expect(stage.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 20,
        ThrottlingBurstLimit: 40,
      }),
    ]);
  });

  it("lets only a department's steward role decide on its department's requests", () => {
    const api =
      core.findResources('AWS::ApiGateway::RestApi')[
        logicalIdOf(core, 'AWS::ApiGateway::RestApi', 'Access/Api')
      ];
    const statements = api.Properties.Policy.Statement as Record<string, unknown>[];
    // Everyone but the steward roles is denied the decision routes, whatever their IAM policies.
    const deny = statements.find((s) => s.Sid === 'OnlyStewardsDecide') as Record<string, unknown>;
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/v1/POST/departments/*',
    });
    expect(json(deny.Condition)).toContain(':role/lake/departments/Lake-upload-*');
    // Each steward role may call its own department's routes only (its identity policy).
    const health = lake.templates.get('Lake-health') as Template;
    const own = policyStatements(health).find(({ statement }) => statement.Sid === 'DecideOwnAccessRequests');
    expect(json(own?.statement.Resource)).toContain('/POST/departments/health/requests/*');
    expect(json(own?.statement.Resource)).not.toContain('statistics');
    // Only analyst personas ask.
    const ask = statements.find((s) => s.Sid === 'OnlyAnalystsAsk') as Record<string, unknown>;
    expect(ask).toMatchObject({ Effect: 'Deny', Resource: 'execute-api:/v1/POST/requests' });
    expect(json(ask.Condition)).toContain('role/public-analyst');
    expect(json(ask.Condition)).toContain('role/health-analyst');
    // The policy does not grow with the departments (API Gateway keeps 8,192 characters).
    expect(json(api.Properties.Policy).length).toBeLessThan(4000);
  });

  it("runs a Lambda that may grant from Lake Formation and schedule the grant's end", () => {
    const fnRole = logicalIdOf(core, 'AWS::IAM::Role', 'Access/FunctionRole');
    const mine = policyStatements(core).filter(({ statement }) =>
      json(statement).includes('lakeformation:GrantPermissions'),
    );
    expect(mine).toHaveLength(1);
    expect(json(mine[0].statement.Action)).toContain('lakeformation:RevokePermissions');
    const sched = policyStatements(core).find(({ statement }) =>
      json(statement.Action).includes('scheduler:CreateSchedule'),
    );
    expect(json(sched?.statement.Resource)).toContain('schedule/');
    const pass = policyStatements(core).find(({ statement }) => statement.Action === 'iam:PassRole');
    expect(pass?.statement.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
    core.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    core.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      }),
    });
    // Grantable SELECT on the conditional tables only.
    core.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [fnRole, 'Arn'] } },
      Resource: {
        LFTagPolicy: Match.objectLike({
          ResourceType: 'TABLE',
          Expression: [{ TagKey: 'sharing', TagValues: ['conditional'] }],
        }),
      },
      PermissionsWithGrantOption: ['SELECT'],
    });
  });

  it('bundles who may call (stewards by department, analyst personas) and the datasets, not in the environment', () => {
    const { principals, datasets } = lake.core.access.bundle;
    expect(principals.stewards).toEqual({
      health: 'Lake-upload-health',
      statistics: 'Lake-upload-statistics',
      civil_affairs: 'Lake-upload-civil_affairs',
    });
    expect(principals.analysts).toContainEqual({
      arn: 'arn:aws:iam::111122223333:role/health-investigator',
      department: 'health',
    });
    expect(principals.analysts).toContainEqual({
      arn: 'arn:aws:iam::111122223333:role/public-analyst',
      department: null,
    });
    expect(datasets.find((d) => d.dataset === 'statistics/population')?.sharing.type).toBe('conditional');
  });
});

describe('the sharing LF-tag', () => {
  it('is on every table, and the cross-department persona matches sharing=unconditional only', () => {
    core.hasResourceProperties('AWS::LakeFormation::Tag', {
      TagKey: 'sharing',
      TagValues: ['unconditional', 'conditional', 'none'],
    });
    const stats = lake.templates.get('Lake-statistics') as Template;
    stats.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      LFTags: Match.arrayWith([Match.objectLike({ TagKey: 'sharing', TagValues: ['conditional'] })]),
    });
    const health = lake.templates.get('Lake-health') as Template;
    health.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      LFTags: Match.arrayWith([Match.objectLike({ TagKey: 'sharing', TagValues: ['unconditional'] })]),
    });
    const publicTable = Object.values(core.findResources('AWS::LakeFormation::PrincipalPermissions')).find(
      (r) =>
        json(r.Properties.Principal).includes('public-analyst') &&
        r.Properties.Resource.LFTagPolicy?.ResourceType === 'TABLE',
    );
    expect(publicTable?.Properties.Resource.LFTagPolicy.Expression).toContainEqual({
      TagKey: 'sharing',
      TagValues: ['unconditional'],
    });
  });
});
