/**
 * The deployed portal's sign-in groups and the principals they stand for: a user in the Cognito group
 * `steward-<department>` acts as `steward:<department>` (the department's data steward, who uploads and
 * approves requests for its datasets), one in `analyst-<department>` as `analyst:<department>`. The stack
 * creates one group of each kind per department (lib/portal/portal-sign-in.ts) with the precedence given
 * here, and the portal's API maps a user's groups back with the same functions: one module, two readers.
 *
 * Enterprises are outside the government and have no group: the pool is the province's workforce pool,
 * and an enterprise reads open data without signing in.
 */
import type { Principal } from '../access/principal.ts';

/** The principal kinds a portal group can stand for, in the order a user's groups are preferred. */
export const GROUP_KINDS = ['steward', 'analyst'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

/** Cognito's group precedence of the first department's steward group; analysts come after every steward. */
const STEWARD_PRECEDENCE = 10;

/** The Cognito group of a principal, e.g. `steward-health`. */
export function groupName(kind: GroupKind, department: string): string {
  return `${kind}-${department}`;
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

/** The principal a group stands for, or null when it is not a portal group of a declared department. */
export function principalOfGroup(group: string, departments: readonly string[]): Principal | null {
  const m = /^(steward|analyst)-(.+)$/.exec(group);
  if (!m || !departments.includes(m[2])) return null;
  return { kind: m[1] as GroupKind, id: m[2] };
}

/**
 * The principals a user's groups stand for, by precedence (stewards first, then departments in the
 * order departments.yaml declares them); groups that are not portal groups are ignored.
 */
export function principalsOfGroups(groups: readonly string[], departments: readonly string[]): Principal[] {
  const order = portalGroups(departments);
  const mine = new Set(groups);
  return order.filter((g) => mine.has(g.name)).map((g) => g.principal);
}
