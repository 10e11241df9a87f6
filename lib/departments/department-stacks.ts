/**
 * Where each department's resources are built, as names known before any department stack exists: the
 * stack of its group (lake.yaml's `stacks.departmentsPerStack`, in the order of departments.yaml), its
 * construct id in that stack, and the names of its Athena workgroups. The core stack is built first, and
 * the portal API's configuration file is written while it is (at bundling), so it names each department's
 * analysts' workgroup by analystWorkGroupName; each department stack gives its workgroup that name and
 * checks it (PortalApi.checkWorkGroup).
 */
import type { Department } from '../../src/contracts/schema.ts';
import { cappedRoleName } from './upload-role-name.ts';

/** The construct id of a department's resources in its stack. */
export function departmentResourcesId(departmentId: string): string {
  return `Dept-${departmentId}`;
}

/** The construct id of a department's analysts' workgroup (a LakeQuery) in its resources. */
export const ANALYST_QUERY_ID = 'Query';

/** The department groups, one stack each, in the order given. */
export function departmentGroups<D>(departments: readonly D[], perStack: number): D[][] {
  const groups: D[][] = [];
  for (let i = 0; i * perStack < departments.length; i++)
    groups.push(departments.slice(i * perStack, (i + 1) * perStack));
  return groups;
}

/** The stack name of a group of departments. */
export function departmentStackName(
  base: string,
  group: readonly Department[],
  index: number,
  perStack: number,
): string {
  if (perStack === 1) return `${base}-${group[0].id.replace(/_/g, '-')}`;
  return `${base}-departments-${String(index + 1).padStart(2, '0')}`;
}

/**
 * The name of a department's analysts' Athena workgroup, `<lake>-<department>-analysts` in lowercase (cut
 * and made unique as role names are, when over 64 characters). Named, not derived from construct paths, so
 * the core stack knows it before the department stack that creates it exists (the portal API runs the
 * department's analysts' SQL there).
 */
export function analystWorkGroupName(lakeName: string, departmentId: string): string {
  return cappedRoleName(`${lakeName}-${departmentId}-analysts`.toLowerCase());
}

/** The name of a department's restricted-data readers' workgroup, `<lake>-<department>-restricted`. */
export function restrictedWorkGroupName(lakeName: string, departmentId: string): string {
  return cappedRoleName(`${lakeName}-${departmentId}-restricted`.toLowerCase());
}
