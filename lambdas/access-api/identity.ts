/**
 * Who calls the access API: API Gateway (IAM auth) gives the caller's ARN, an assumed role's session
 * (`arn:aws:sts::<account>:assumed-role/<name>/<session>`). The session name is dropped (it may be a
 * person's name: the records keep the role only); the role is matched against the configured principals.
 */
import type { Actor } from '../../src/access/service.ts';
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

/** The caller as an analyst persona, or null. The public persona has no department (`*`). */
export function analystOf(callerArn: string, p: AccessPrincipals): Actor | null {
  const name = nameOf(callerArn);
  if (!name) return null;
  const a = p.analysts.find((x) => nameOf(x.arn) === name);
  return a ? { principal: { kind: 'analyst', id: a.department ?? '*' }, name: a.arn } : null;
}
