/**
 * The deployed portal's sign-in groups and the principals they stand for: a user in the Cognito group
 * `steward-<department>` acts as `steward:<department>` (the department's data steward, who uploads and
 * approves requests for its datasets), one in `analyst-<department>` as `analyst:<department>`. The stack
 * creates one group of each kind per department (lib/portal/portal-sign-in.ts) with the precedence given
 * here, and the portal's API maps a user's groups back with the same functions: one module, two readers.
 *
 * An enterprise (outside the government) that asks for conditionally opened data signs in too: a user in
 * `enterprise-<name>` acts as `enterprise:<name>` (the name a lowercase id, as `--as enterprise:<name>`
 * takes it locally). The stack cannot know the enterprises at synth: the platform team creates one group
 * per registered enterprise, with ENTERPRISE_PRECEDENCE (docs/portal.md). Cognito vouches for the group;
 * the portal is the enterprise's identity provider towards the access API (src/portal/aws-enterprise.ts).
 */

import type { Principal } from '../access/principal.ts';
import { ID_PATTERN } from '../contracts/id-pattern.ts';

/** The principal kinds a department's portal group can stand for, in the order a user's groups are preferred. */
export const GROUP_KINDS = ['steward', 'analyst'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

/** Cognito's group precedence of the first department's steward group; analysts come after every steward. */
const STEWARD_PRECEDENCE = 10;
/**
 * The precedence the platform team gives an enterprise's group: after every department's groups (a lake
 * of up to 4,000 departments), so a government principal is preferred over an enterprise.
 */
export const ENTERPRISE_PRECEDENCE = 10_000;
/** The prefix of an enterprise's group: `enterprise-<name>`. */
export const ENTERPRISE_GROUP_PREFIX = 'enterprise-';

/** The Cognito group of a principal, e.g. `steward-health`. */
export function groupName(kind: GroupKind, department: string): string {
  return `${kind}-${department}`;
}

/** The Cognito group of an enterprise, e.g. `enterprise-acme`; throws on a name the CLI would refuse. */
export function enterpriseGroupName(name: string): string {
  if (!ID_PATTERN.test(name))
    throw new Error(
      `enterprise name "${name.slice(0, 60)}" is not a lowercase id (letters, digits and _, starting with a letter)`,
    );
  return `${ENTERPRISE_GROUP_PREFIX}${name}`;
}

/** Every portal group of the departments, with its Cognito precedence (lower wins) and principal. */
export function portalGroups(
  departments: readonly string[],
): { name: string; precedence: number; principal: Principal }[] {
  return GROUP_KINDS.flatMap((kind, k) =>
    departments.map((id, i) => ({
      name: groupName(kind, id),
      precedence: STEWARD_PRECEDENCE + k * departments.length + i,
      principal: { kind, id },
    })),
  );
}

/**
 * The principal a group stands for, or null when it is not a portal group of a declared department nor an
 * enterprise's group with a valid name.
 */
export function principalOfGroup(group: string, departments: readonly string[]): Principal | null {
  if (group.startsWith(ENTERPRISE_GROUP_PREFIX)) {
    const name = group.slice(ENTERPRISE_GROUP_PREFIX.length);
    return ID_PATTERN.test(name) ? { kind: 'enterprise', id: name } : null;
  }
  const m = /^(steward|analyst)-(.+)$/.exec(group);
  if (!m || !departments.includes(m[2])) return null;
  return { kind: m[1] as GroupKind, id: m[2] };
}

/**
 * The principals a user's groups stand for, by precedence (stewards first, then analysts, departments in
 * the order departments.yaml declares them, then enterprises by name); groups that are not portal groups
 * are ignored.
 */
export function principalsOfGroups(groups: readonly string[], departments: readonly string[]): Principal[] {
  const order = portalGroups(departments);
  const mine = new Set(groups);
  const government = order.filter((g) => mine.has(g.name)).map((g) => g.principal);
  const enterprises = [...mine]
    .filter((g) => g.startsWith(ENTERPRISE_GROUP_PREFIX))
    .sort()
    .flatMap((g) => principalOfGroup(g, departments) ?? []);
  return [...government, ...enterprises];
}
