/**
 * The lake's resources of the services moto's CloudFormation lacks but moto's APIs have (API Gateway,
 * Cognito, EventBridge Scheduler, CloudFront's origin access controls), made with the calls CloudFormation
 * would make from their template properties; and the stand-ins for CloudFront's distributions, functions
 * and response headers policies, which are not created here.
 *
 * Some of them are referred to by resources moto's CloudFormation creates (a Lambda permission names the
 * REST API and its stage, a function's environment names the user pool), so those are made before their
 * stack, from properties that refer to nothing the stack creates (createBeforeStack); the rest of API
 * Gateway (resources, methods, the deployment, the stage, gateway responses, the API key, usage plan and
 * its key) after it (createApiGatewayPart).
 */
import { createHash } from 'node:crypto';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { motoJson, motoRest, motoXml } from './moto-call.ts';
import { MOTO_ACCOUNT, MOTO_REGION } from './moto-server.ts';
import type { Json } from './synth-lake.ts';

/** What a reference to a resource made outside moto's CloudFormation answers: Ref, and Fn::GetAtt. */
export interface StandIn {
  ref?: string;
  atts?: Record<string, string>;
}

/** Types made before their stack through their service's API (their references resolve to real values). */
export const BEFORE_STACK_TYPES = new Set([
  'AWS::ApiGateway::RestApi',
  'AWS::Scheduler::ScheduleGroup',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolDomain',
  'AWS::Cognito::UserPoolClient',
  'AWS::Cognito::UserPoolGroup',
]);

/** API Gateway's parts made after the stack (their methods integrate the stack's functions). */
export const API_GATEWAY_AFTER_STACK = new Set([
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
]);

/** CloudFront's types not created; references to them get a deterministic stand-in (see cloudFrontStandIn). */
export const CLOUDFRONT_TYPES = new Set([
  'AWS::CloudFront::Distribution',
  'AWS::CloudFront::Function',
  'AWS::CloudFront::ResponseHeadersPolicy',
]);

export const CLOUDFRONT_GAP =
  "CloudFront: moto's CloudFront has distributions but no CloudFront Functions or response headers policies " +
  '(the portal distribution uses both), and nothing here serves a distribution; the distributions, functions ' +
  'and policies are not created (the origin access controls are), references to them (a distribution ' +
  'DomainName in the functions’ environments, its ARN in the bucket policies) resolve to deterministic ' +
  'stand-ins (d<hash>.cloudfront.net)';

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** CreateOriginAccessControl from the template's OriginAccessControlConfig; the control's id. */
export async function createOriginAccessControl(endpoint: string, p: Json): Promise<string> {
  const c = p.OriginAccessControlConfig;
  const fields = [
    'Name',
    'Description',
    'SigningProtocol',
    'SigningBehavior',
    'OriginAccessControlOriginType',
  ]
    .filter((f) => c[f] !== undefined)
    .map((f) => `<${f}>${xmlText(String(c[f]))}</${f}>`)
    .join('');
  const answer = await motoXml(
    endpoint,
    'cloudfront',
    'POST',
    '/2020-05-31/origin-access-control',
    `<?xml version="1.0" encoding="UTF-8"?><OriginAccessControlConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">${fields}</OriginAccessControlConfig>`,
  );
  const id = /<Id>([^<]+)<\/Id>/.exec(answer)?.[1];
  if (!id) throw new Error(`CreateOriginAccessControl answered no id: ${answer.slice(0, 300)}`);
  return id;
}
export const CLOUDFRONT_COVERED_BY =
  'test/cdk/open-data.test.ts and test/cdk/portal.test.ts (origin access control, behaviours, headers, functions)';

function hash(stack: string, id: string, n: number): string {
  return createHash('sha256').update(`${stack}/${id}`).digest('hex').slice(0, n);
}

/** The stand-in answers for a CloudFront resource: shaped as CloudFront's, derived from its logical id. */
export function cloudFrontStandIn(stack: string, id: string, type: string, p: Json): StandIn {
  switch (type) {
    case 'AWS::CloudFront::Distribution': {
      const distributionId = `E${hash(stack, id, 13).toUpperCase()}`;
      return {
        ref: distributionId,
        atts: { Id: distributionId, DomainName: `d${hash(stack, id, 13)}.cloudfront.net` },
      };
    }
    case 'AWS::CloudFront::Function': {
      const arn = `arn:aws:cloudfront::${MOTO_ACCOUNT}:function/${p?.Name ?? id}`;
      return { ref: arn, atts: { FunctionARN: arn, Stage: 'LIVE' } };
    }
    default: {
      const h = hash(stack, id, 32);
      const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      return { ref: uuid, atts: { Id: uuid } };
    }
  }
}

const cognito = (endpoint: string, action: string, body: object) =>
  motoJson(endpoint, 'cognito-idp', `AWSCognitoIdentityProviderService.${action}`, body);

/** Makes one BEFORE_STACK_TYPES resource from its resolved properties; its Ref, attributes and the calls made. */
export async function createBeforeStack(
  endpoint: string,
  config: object,
  stack: string,
  id: string,
  type: string,
  p: Json,
): Promise<StandIn & { how: string }> {
  switch (type) {
    case 'AWS::ApiGateway::RestApi': {
      const api = await motoRest(endpoint, 'apigateway', 'POST', '/restapis', {
        name: p.Name,
        description: p.Description,
        endpointConfiguration: p.EndpointConfiguration ? { types: p.EndpointConfiguration.Types } : undefined,
        policy: p.Policy ? JSON.stringify(p.Policy) : undefined,
        binaryMediaTypes: p.BinaryMediaTypes,
      });
      if (!api.id || !api.rootResourceId)
        throw new Error(`${stack}: CreateRestApi ${id}: ${JSON.stringify(api)}`);
      return {
        ref: api.id,
        atts: { RestApiId: api.id, RootResourceId: api.rootResourceId },
        how: 'api: apigateway CreateRestApi (policy, endpoint configuration, binary media types)',
      };
    }
    case 'AWS::Scheduler::ScheduleGroup': {
      const scheduler = new SchedulerClient(config);
      try {
        const { ScheduleGroupArn } = await scheduler.send(new CreateScheduleGroupCommand({ Name: p.Name }));
        return {
          ref: p.Name,
          atts: { Arn: ScheduleGroupArn ?? '' },
          how: 'api: scheduler CreateScheduleGroup',
        };
      } finally {
        scheduler.destroy();
      }
    }
    case 'AWS::Cognito::UserPool': {
      const { UserPoolName, EnabledMfas, ...rest } = p;
      const { UserPool } = await cognito(endpoint, 'CreateUserPool', {
        ...rest,
        PoolName: UserPoolName ?? `${stack}-${id}`,
      });
      const calls = ['CreateUserPool'];
      if ((EnabledMfas ?? []).includes('SOFTWARE_TOKEN_MFA')) {
        await cognito(endpoint, 'SetUserPoolMfaConfig', {
          UserPoolId: UserPool.Id,
          SoftwareTokenMfaConfiguration: { Enabled: true },
          MfaConfiguration: p.MfaConfiguration,
        });
        calls.push('SetUserPoolMfaConfig');
      }
      const provider = `cognito-idp.${MOTO_REGION}.amazonaws.com/${UserPool.Id}`;
      return {
        ref: UserPool.Id,
        atts: {
          Arn: UserPool.Arn,
          UserPoolId: UserPool.Id,
          ProviderName: provider,
          ProviderURL: `https://${provider}`,
        },
        how: `api: cognito-idp ${calls.join(', ')}`,
      };
    }
    case 'AWS::Cognito::UserPoolDomain':
      await cognito(endpoint, 'CreateUserPoolDomain', {
        Domain: p.Domain,
        UserPoolId: p.UserPoolId,
        CustomDomainConfig: p.CustomDomainConfig,
      });
      return { ref: p.Domain, how: 'api: cognito-idp CreateUserPoolDomain' };
    case 'AWS::Cognito::UserPoolClient': {
      const { UserPoolClient } = await cognito(endpoint, 'CreateUserPoolClient', {
        ...p,
        ClientName: p.ClientName ?? `${stack}-${id}`,
      });
      return {
        ref: UserPoolClient.ClientId,
        atts: { ClientId: UserPoolClient.ClientId, Name: UserPoolClient.ClientName },
        how: 'api: cognito-idp CreateUserPoolClient',
      };
    }
    case 'AWS::Cognito::UserPoolGroup':
      await cognito(endpoint, 'CreateGroup', {
        GroupName: p.GroupName,
        UserPoolId: p.UserPoolId,
        Description: p.Description,
        Precedence: p.Precedence,
        RoleArn: p.RoleArn,
      });
      return { ref: p.GroupName, how: 'api: cognito-idp CreateGroup' };
    default:
      throw new Error(`${type} is not made before its stack`);
  }
}

/**
 * Makes one API_GATEWAY_AFTER_STACK resource from its resolved properties (dynamic references resolved
 * too: an API key's value); its Ref and the calls made. `name` is the name CloudFormation would generate
 * where the template gives none (an API key's, a usage plan's).
 */
export async function createApiGatewayPart(
  endpoint: string,
  type: string,
  p: Json,
  name: string,
): Promise<{ ref: string; how: string }> {
  const api = `/restapis/${encodeURIComponent(p.RestApiId)}`;
  const call = (method: string, path: string, body: object) =>
    motoRest(endpoint, 'apigateway', method, `${api}${path}`, body);
  switch (type) {
    case 'AWS::ApiGateway::GatewayResponse':
      await call('PUT', `/gatewayresponses/${encodeURIComponent(p.ResponseType)}`, {
        statusCode: p.StatusCode,
        responseParameters: p.ResponseParameters,
        responseTemplates: p.ResponseTemplates,
      });
      return { ref: `${p.RestApiId}/${p.ResponseType}`, how: 'api: apigateway PutGatewayResponse' };
    case 'AWS::ApiGateway::ApiKey': {
      const key = await motoRest(endpoint, 'apigateway', 'POST', '/apikeys', {
        name: p.Name ?? name,
        description: p.Description,
        enabled: p.Enabled ?? false,
        value: p.Value,
        customerId: p.CustomerId,
        generateDistinctId: p.GenerateDistinctId,
        stageKeys: p.StageKeys?.map((k: Json) => ({ restApiId: k.RestApiId, stageName: k.StageName })),
      });
      return {
        ref: key.id,
        how: `api: apigateway CreateApiKey${p.Value ? ' (its value from the dynamic reference, read from the secret)' : ''}`,
      };
    }
    case 'AWS::ApiGateway::UsagePlan': {
      const throttle = (t: Json) =>
        t && Object.keys(t).length > 0 ? { burstLimit: t.BurstLimit, rateLimit: t.RateLimit } : undefined;
      const plan = await motoRest(endpoint, 'apigateway', 'POST', '/usageplans', {
        name: p.UsagePlanName ?? name,
        description: p.Description,
        apiStages: p.ApiStages?.map((s: Json) => ({
          apiId: s.ApiId,
          stage: s.Stage,
          // Per method ("/path/METHOD"): CloudFormation's ThrottleSettings as the API's.
          throttle:
            s.Throttle && Object.keys(s.Throttle).length > 0
              ? Object.fromEntries(Object.entries(s.Throttle).map(([m, t]) => [m, throttle(t)]))
              : undefined,
        })),
        throttle: throttle(p.Throttle),
        quota: p.Quota ? { limit: p.Quota.Limit, offset: p.Quota.Offset, period: p.Quota.Period } : undefined,
      });
      return { ref: plan.id, how: 'api: apigateway CreateUsagePlan (API stages, throttle)' };
    }
    case 'AWS::ApiGateway::UsagePlanKey': {
      const key = await motoRest(
        endpoint,
        'apigateway',
        'POST',
        `/usageplans/${encodeURIComponent(p.UsagePlanId)}/keys`,
        { keyId: p.KeyId, keyType: p.KeyType },
      );
      return { ref: key.id, how: 'api: apigateway CreateUsagePlanKey' };
    }
    case 'AWS::ApiGateway::Resource': {
      const r = await call('POST', `/resources/${encodeURIComponent(p.ParentId)}`, { pathPart: p.PathPart });
      return { ref: r.id, how: 'api: apigateway CreateResource' };
    }
    case 'AWS::ApiGateway::RequestValidator': {
      const r = await call('POST', '/requestvalidators', {
        name: p.Name ?? 'validator',
        validateRequestBody: p.ValidateRequestBody,
        validateRequestParameters: p.ValidateRequestParameters,
      });
      return { ref: r.id, how: 'api: apigateway CreateRequestValidator' };
    }
    case 'AWS::ApiGateway::Authorizer': {
      const r = await call('POST', '/authorizers', {
        name: p.Name,
        type: p.Type,
        providerARNs: p.ProviderARNs,
        identitySource: p.IdentitySource,
        authorizerResultTtlInSeconds: p.AuthorizerResultTtlInSeconds,
      });
      return { ref: r.id, how: 'api: apigateway CreateAuthorizer' };
    }
    case 'AWS::ApiGateway::Method': {
      const path = `/resources/${encodeURIComponent(p.ResourceId)}/methods/${p.HttpMethod}`;
      await call('PUT', path, {
        authorizationType: p.AuthorizationType,
        authorizerId: p.AuthorizerId,
        requestValidatorId: p.RequestValidatorId,
        apiKeyRequired: p.ApiKeyRequired,
      });
      await call('PUT', `${path}/integration`, {
        type: p.Integration.Type,
        httpMethod: p.Integration.IntegrationHttpMethod,
        uri: p.Integration.Uri,
      });
      return { ref: `${p.ResourceId}/${p.HttpMethod}`, how: 'api: apigateway PutMethod, PutIntegration' };
    }
    case 'AWS::ApiGateway::Deployment': {
      const r = await call('POST', '/deployments', { description: p.Description });
      return { ref: r.id, how: 'api: apigateway CreateDeployment' };
    }
    case 'AWS::ApiGateway::Stage':
      await call('POST', '/stages', {
        stageName: p.StageName,
        deploymentId: p.DeploymentId,
        description: p.Description,
        variables: p.Variables,
        tracingEnabled: p.TracingEnabled,
      });
      return { ref: p.StageName, how: 'api: apigateway CreateStage' };
    default:
      throw new Error(`${type} is not an API Gateway part`);
  }
}

/** Stage settings CreateStage does not take (UpdateStage patch operations would): left to the CDK tests. */
export const STAGE_PROPERTIES_NOT_APPLIED = ['AccessLogSetting', 'MethodSettings'];

/**
 * The resources in an order where each comes after those it refers to (Ref, Fn::GetAtt, DependsOn) among
 * them; otherwise in the order given.
 */
export function inDependencyOrder<T extends [string, { DependsOn?: string | string[] }]>(
  entries: T[],
  refs: (entry: T) => Set<string>,
): T[] {
  const pending = new Map(entries.map((e) => [e[0], e]));
  const out: T[] = [];
  while (pending.size > 0) {
    const ready = [...pending.values()].find((e) => {
      const needs = [...refs(e), ...[e[1].DependsOn ?? []].flat()];
      return needs.every((d) => d === e[0] || !pending.has(d));
    });
    if (!ready) throw new Error(`a reference cycle among ${[...pending.keys()].join(', ')}`);
    out.push(ready);
    pending.delete(ready[0]);
  }
  return out;
}
