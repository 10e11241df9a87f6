/**
 * The access matrix's sharing rows hold because of the access API's explicit denials, not by accident:
 * without them, an administrator of the account's API Gateway would decide for any department.
 */
import { describe, expect, it } from 'vitest';
import { buildLakeModel, isAllowed, toRequest } from './lake-model.ts';

describe("the access API's resource policy", () => {
  const model = buildLakeModel();
  const approve = {
    principal: 'service-admin',
    action: 'execute-api:Invoke',
    resource: 'api:POST departments/health/requests/r-1/approve',
    allowed: false,
  } as const;

  it("keeps an administrator out of a department's decisions by its explicit denial", async () => {
    expect(await isAllowed(toRequest(model, approve))).toBe(false);
    const policy = model.accessApi?.policy;
    if (!policy) throw new Error('no API policy');
    const withoutDenials = {
      ...model,
      accessApi: {
        arnPrefix: model.accessApi?.arnPrefix as string,
        policy: { ...policy, Statement: policy.Statement.filter((s) => s.Effect !== 'Deny') },
      },
    };
    expect(await isAllowed(toRequest(withoutDenials, approve))).toBe(true);
  });

  it("lets a steward decide only for its own department's routes", async () => {
    const as = (resource: string) =>
      isAllowed(
        toRequest(model, {
          principal: 'health-uploader',
          action: 'execute-api:Invoke',
          resource,
          allowed: true,
        }),
      );
    expect(await as('api:POST departments/health/requests/r-9/deny')).toBe(true);
    expect(await as('api:POST departments/statistics/requests/r-9/deny')).toBe(false);
    expect(await as('api:POST departments/civil_affairs/requests/r-9/approve')).toBe(false);
  });
});
