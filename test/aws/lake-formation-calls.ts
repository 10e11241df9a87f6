/**
 * The Lake Formation resources of the templates, which moto's CloudFormation lacks, made with the API calls
 * CloudFormation would make for them (moto's Lake Formation API: REST-JSON). moto records them; it does not
 * enforce them on Athena or Glue, so what the grants allow is checked offline in test/access/.
 */
import type { Coverage } from './coverage.ts';
import { motoRest } from './moto-call.ts';
import type { Json } from './synth-lake.ts';

export const LAKE_FORMATION_TYPES = new Set([
  'AWS::LakeFormation::DataLakeSettings',
  'AWS::LakeFormation::Tag',
  'AWS::LakeFormation::Resource',
  'AWS::LakeFormation::TagAssociation',
  'AWS::LakeFormation::PrincipalPermissions',
]);

const call = (endpoint: string, action: string, body: object) =>
  motoRest(endpoint, 'lakeformation', 'POST', `/${action}`, body);

/** Creates one Lake Formation resource from its resolved template properties; returns the call made. */
export async function createLakeFormationResource(endpoint: string, type: string, p: Json): Promise<string> {
  switch (type) {
    case 'AWS::LakeFormation::DataLakeSettings': {
      // MutationType APPEND: the template's admins are added to those already there.
      const current = await call(endpoint, 'GetDataLakeSettings', {});
      const admins = [...(current.DataLakeSettings?.DataLakeAdmins ?? []), ...(p.Admins ?? [])];
      await call(endpoint, 'PutDataLakeSettings', {
        DataLakeSettings: {
          ...current.DataLakeSettings,
          DataLakeAdmins: admins,
          CreateDatabaseDefaultPermissions: p.CreateDatabaseDefaultPermissions,
          CreateTableDefaultPermissions: p.CreateTableDefaultPermissions,
        },
      });
      return 'lakeformation PutDataLakeSettings (admins appended)';
    }
    case 'AWS::LakeFormation::Tag':
      await call(endpoint, 'CreateLFTag', {
        CatalogId: p.CatalogId,
        TagKey: p.TagKey,
        TagValues: p.TagValues,
      });
      return 'lakeformation CreateLFTag';
    case 'AWS::LakeFormation::Resource':
      await call(endpoint, 'RegisterResource', {
        ResourceArn: p.ResourceArn,
        RoleArn: p.RoleArn,
        UseServiceLinkedRole: p.UseServiceLinkedRole,
        HybridAccessEnabled: p.HybridAccessEnabled,
      });
      return 'lakeformation RegisterResource';
    case 'AWS::LakeFormation::TagAssociation': {
      const r = await call(endpoint, 'AddLFTagsToResource', { Resource: p.Resource, LFTags: p.LFTags });
      if (r.Failures?.length) throw new Error(`AddLFTagsToResource failed: ${JSON.stringify(r.Failures)}`);
      return 'lakeformation AddLFTagsToResource';
    }
    case 'AWS::LakeFormation::PrincipalPermissions':
      await call(endpoint, 'GrantPermissions', {
        CatalogId: p.Catalog,
        Principal: p.Principal,
        Resource: p.Resource,
        Permissions: p.Permissions,
        PermissionsWithGrantOption: p.PermissionsWithGrantOption,
      });
      return 'lakeformation GrantPermissions';
    default:
      throw new Error(`${type} is not a Lake Formation resource`);
  }
}

/** Records that moto keeps the grants and tags without enforcing them. */
export function lakeFormationGap(coverage: Coverage): void {
  coverage.gap(
    'Lake Formation: moto records the settings, tags and grants, it does not enforce them on Glue or Athena',
    'test/access/access-matrix.test.ts evaluates the grants against the tags; test/cdk/access.test.ts',
  );
}
