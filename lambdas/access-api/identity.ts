/**
 * Who calls the access API: API Gateway (IAM auth) gives the caller's ARN, an assumed role's session
 * (`arn:aws:sts::<account>:assumed-role/<name>/<session>`). The session name is dropped (it may be a
 * person's name: the records keep the role only); the role is matched against the configured principals.
 *
 * An enterprise has no AWS role of its own: the portal signs it in (a Cognito group, `enterprise-<name>`)
 * and calls as the portal's enterprise role, naming the enterprise in the route. The API trusts that name
 * from that role only: the portal is the enterprises' identity provider.
 */
import type { Actor } from '../../src/access/service.ts';
import { ID_PATTERN } from '../../src/contracts/id-pattern.ts';
import type { AccessPrincipals } from './config.ts';

/** The role (or user) name of an IAM or STS ARN, e.g. `health-analyst`. */
export function principalName(arn: string): string | null {
  const m = /^arn:[\w-]+:(?:sts|iam)::\d{12}:(assumed-role|role|user)\/(.+)$/.exec(arn);
  if (!m) return null;
  const parts = m[2].split('/');
  // assumed-role/<name>/<session>; role/<path…>/<name>; user/<path…>/<name>
  return m[1] === 'assumed-role' ? (parts[0] ?? null) : (parts[parts.length - 1] ?? null);
}

const nameOf = (arn: string) => principalName(arn);

/** The caller as the steward of a department (named by its role's ARN), or null. */
export function stewardOf(callerArn: string, p: AccessPrincipals): Actor | null {
  const name = nameOf(callerArn);
  const m = /^arn:([\w-]+):(?:sts|iam)::(\d{12}):/.exec(callerArn);
  if (!name || !m) return null;
  for (const [department, role] of Object.entries(p.stewards)) {
    if (role === name) {
      return {
        principal: { kind: 'steward', id: department },
        name: `arn:${m[1]}:iam::${m[2]}:role${p.stewardPath}${role}`,
      };
    }
  }
  return null;
}

/**
 * The caller as an analyst persona, or null. The public persona has no department (`*`). A department's
 * portal analyst role (the web portal acting for its analysts) is that department's analyst, named by its
 * role's ARN as the stewards are.
 */
export function analystOf(callerArn: string, p: AccessPrincipals): Actor | null {
  const name = nameOf(callerArn);
  if (!name) return null;
  const a = p.analysts.find((x) => nameOf(x.arn) === name);
  if (a) return { principal: { kind: 'analyst', id: a.department ?? '*' }, name: a.arn };
  const m = /^arn:([\w-]+):(?:sts::(\d{12}):assumed-role|iam::(\d{12}):role)\//.exec(callerArn);
  if (!m) return null;
  for (const [department, role] of Object.entries(p.portalAnalysts ?? {})) {
    if (role === name) {
      return {
        principal: { kind: 'analyst', id: department },
        name: `arn:${m[1]}:iam::${m[2] ?? m[3]}:role${p.stewardPath}${role}`,
      };
    }
  }
  return null;
}

/**
 * The caller as the enterprise `name`, when the caller is the portal's enterprise role and the name is a
 * lowercase id; null otherwise. The records name it `enterprise:<name>` (a company's registered short name,
 * no person's).
 */
export function enterpriseOf(callerArn: string, p: AccessPrincipals, name: string): Actor | null {
  const role = /:(?:assumed-role|role)\//.test(callerArn) ? nameOf(callerArn) : null;
  if (!p.enterprise || !role || role !== p.enterprise || !ID_PATTERN.test(name)) return null;
  return { principal: { kind: 'enterprise', id: name }, name: `enterprise:${name}` };
}
