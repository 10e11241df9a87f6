/**
 * The access API's enterprise routes (`/enterprises/{enterprise}/requests`: POST to ask, GET to list), which
 * the web portal calls as its enterprise role for the enterprise its sign-in vouches for
 * (lib/portal/portal-enterprise.ts). The role's identity policy allows them; the API's resource policy
 * denies them to every other caller, whatever its IAM policies say, and to everyone without a portal.
 */
import type { Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Sid of the resource policy's statement that keeps the enterprise routes to the portal's role. */
export const ENTERPRISE_ROUTES_DENY_SID = 'OnlyThePortalAsksForEnterprises';

/**
 * The deny statement: `stage` is the API's stage; `enterpriseRole` the portal enterprise role's name
 * (undefined without a portal: denied to all).
 */
export function enterpriseRoutesDeny(
  stack: Stack,
  stage: string,
  enterpriseRole?: string,
): iam.PolicyStatement {
  const route = (method: string) => `execute-api:/${stage}/${method}/enterprises/*`;
  return new iam.PolicyStatement({
    sid: ENTERPRISE_ROUTES_DENY_SID,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['execute-api:Invoke'],
    resources: [route('POST'), route('GET')],
    ...(enterpriseRole
      ? {
          conditions: {
            ArnNotEquals: {
              'aws:PrincipalArn': stack.formatArn({
                service: 'iam',
                region: '',
                resource: 'role',
                resourceName: enterpriseRole,
              }),
            },
          },
        }
      : {}),
  });
}

/** Adds the enterprise routes to the API, integrated with its function. */
export function addEnterpriseRoutes(
  api: apigw.RestApi,
  integration: apigw.Integration,
  opts: apigw.MethodOptions,
): void {
  const requests = api.root.addResource('enterprises').addResource('{enterprise}').addResource('requests');
  requests.addMethod('POST', integration, opts);
  requests.addMethod('GET', integration, opts);
}
