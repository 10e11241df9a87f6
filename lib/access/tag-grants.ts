/**
 * Lake Formation grants by tag expression, and the analyst personas built from them.
 *
 * A grant's construct ID is derived from what it grants (principal, resource type, expression), not from
 * its position in a list: reordering lake.yaml then changes nothing, and a changed grant is a new
 * resource, so CloudFormation never revokes (deletes) a grant that it has just created again.
 */
import { createHash } from 'node:crypto';
import { type CfnResource, Stack } from 'aws-cdk-lib';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import type { AccessType } from '../../src/contracts/catalogue-schema.ts';
import type { Classification } from '../../src/lake/dataset-model.ts';
import { LF_TAGS } from './lake-formation.ts';

/** What an analyst may do with the tables a persona matches. */
export const TABLE_PERMISSIONS = ['SELECT', 'DESCRIBE'] as const;
/** What an analyst may do with the databases a persona matches. */
export const DATABASE_PERMISSIONS = ['DESCRIBE'] as const;

/** The classifications each persona level sees. */
export const PERSONA_CLASSIFICATIONS: Record<
  'public' | 'department' | 'restricted',
  readonly Classification[]
> = {
  public: ['public'],
  department: ['public', 'internal'],
  restricted: ['public', 'internal', 'restricted'],
};

export type TagExpression = Readonly<Record<string, readonly string[]>>;

export interface TagGrant {
  readonly principal: string;
  /**
   * What names the principal in the grant's construct ID, when its ARN is a CloudFormation token (a role of
   * the same stack, whose ARN text changes with the synthesis): its path and name, say.
   * @default - the principal's ARN
   */
  readonly key?: string;
  readonly resourceType: 'DATABASE' | 'TABLE';
  readonly expression: TagExpression;
  readonly permissions: readonly string[];
}

function grantId(grant: TagGrant): string {
  const expression = Object.entries(grant.expression)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${[...v].sort().join(',')}`)
    .join(';');
  const text = `${grant.key ?? grant.principal}|${grant.resourceType}|${expression}|${[...grant.permissions].sort().join(',')}`;
  return `Grant${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

export interface TagGrantsProps {
  readonly grants: readonly TagGrant[];
  /** Resources the grants need first (the LF-tags, the settings that make the deployer an admin). */
  readonly dependsOn?: readonly CfnResource[];
}

/** A set of LF-tag policy grants, one CfnPrincipalPermissions each, deduplicated. */
export class TagGrants extends Construct {
  public readonly permissions: lakeformation.CfnPrincipalPermissions[] = [];

  constructor(scope: Construct, id: string, props: TagGrantsProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    const seen = new Set<string>();
    for (const grant of props.grants) {
      const gid = grantId(grant);
      if (seen.has(gid)) continue;
      seen.add(gid);
      const permission = new lakeformation.CfnPrincipalPermissions(this, gid, {
        catalog: catalogId,
        principal: { dataLakePrincipalIdentifier: grant.principal },
        resource: {
          lfTagPolicy: {
            catalogId,
            resourceType: grant.resourceType,
            expression: Object.entries(grant.expression).map(([tagKey, tagValues]) => ({
              tagKey,
              tagValues: [...tagValues],
            })),
          },
        },
        permissions: [...grant.permissions],
        permissionsWithGrantOption: [],
      });
      for (const d of props.dependsOn ?? []) permission.addResourceDependency(d);
      this.permissions.push(permission);
    }
  }
}

/** What a persona that reads across departments matches: tables shared unconditionally (the rule). */
export const CROSS_DEPARTMENT_SHARING: readonly AccessType[] = ['unconditional'];

/**
 * The grants of one persona: SELECT and DESCRIBE on the tables whose classification is one the level
 * sees (within `departments`; with `sharing`, only tables of those sharing types), and DESCRIBE on those
 * departments' databases.
 */
export function personaGrants(
  principals: readonly string[],
  level: keyof typeof PERSONA_CLASSIFICATIONS,
  departments: readonly string[],
  opts: { sharing?: readonly AccessType[] } = {},
): TagGrant[] {
  return principals.flatMap((principal): TagGrant[] => [
    {
      principal,
      resourceType: 'TABLE',
      expression: {
        [LF_TAGS.classification]: PERSONA_CLASSIFICATIONS[level],
        [LF_TAGS.department]: departments,
        ...(opts.sharing ? { [LF_TAGS.sharing]: opts.sharing } : {}),
      },
      permissions: TABLE_PERMISSIONS,
    },
    {
      principal,
      resourceType: 'DATABASE',
      expression: { [LF_TAGS.department]: departments },
      permissions: DATABASE_PERMISSIONS,
    },
  ]);
}
