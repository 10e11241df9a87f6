/**
 * Lake Formation for the lake: its administrators (those configured plus the role CloudFormation deploys
 * with, which creates the databases, tables and grants), the curated location registered with a data
 * access role that can only read curated, and the LF-tags the contracts' classifications become.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { ACCESS_TYPES } from '../../src/contracts/catalogue-schema.ts';
import { CLASSIFICATIONS } from '../../src/contracts/schema.ts';
import { ZONE_PREFIX } from '../../src/lake/layout.ts';
import { deploymentRoleArn } from '../common/deployment-role.ts';
import type { LakeStorage } from '../storage/lake-storage.ts';

/** LF-tag keys. */
export const LF_TAGS = {
  classification: 'classification',
  department: 'department',
  /**
   * The contract's sharing type (unconditional, conditional, none) on every table: the personas that read
   * across departments match sharing=unconditional only; conditional tables are read through the grants
   * the access API makes (lib/access/access-requests.ts).
   */
  sharing: 'sharing',
} as const;

export interface LakeFormationSetupProps {
  readonly storage: LakeStorage;
  /** Department ids: the values of the `department` LF-tag. */
  readonly departments: readonly string[];
  /**
   * Lake Formation administrators besides the deployment role.
   * @default - none
   */
  readonly admins?: readonly string[];
  /**
   * Make the deployment role an administrator too (it creates databases, tables, tags and grants).
   * @default true
   */
  readonly adminDeploymentRole?: boolean;
}

export class LakeFormationSetup extends Construct {
  public readonly settings: lakeformation.CfnDataLakeSettings;
  public readonly classificationTag: lakeformation.CfnTag;
  public readonly departmentTag: lakeformation.CfnTag;
  public readonly sharingTag: lakeformation.CfnTag;
  /** The role Lake Formation reads curated with when it vends credentials to Athena. */
  public readonly dataAccessRole: iam.Role;
  public readonly curatedLocation: lakeformation.CfnResource;

  constructor(scope: Construct, id: string, props: LakeFormationSetupProps) {
    super(scope, id);
    if (props.departments.length === 0) throw new Error('LakeFormationSetup needs at least one department.');
    const stack = Stack.of(this);
    const admins = [...(props.admins ?? [])];
    const deployer = props.adminDeploymentRole === false ? undefined : deploymentRoleArn(stack);
    if (deployer) admins.push(deployer);
    if (admins.length === 0) {
      throw new Error(
        'LakeFormationSetup has no administrator: list lakeFormation.admins in lake.yaml, or keep adminDeploymentRole on with the default synthesizer.',
      );
    }

    this.settings = new lakeformation.CfnDataLakeSettings(this, 'Settings', {
      admins: admins.map((dataLakePrincipalIdentifier) => ({ dataLakePrincipalIdentifier })),
      // Add to the account's administrators rather than replacing them.
      mutationType: 'APPEND',
      // New databases and tables are governed by Lake Formation alone (no IAMAllowedPrincipals).
      createDatabaseDefaultPermissions: [],
      createTableDefaultPermissions: [],
    });

    this.classificationTag = new lakeformation.CfnTag(this, 'ClassificationTag', {
      catalogId: stack.account,
      tagKey: LF_TAGS.classification,
      tagValues: [...CLASSIFICATIONS],
    });
    this.departmentTag = new lakeformation.CfnTag(this, 'DepartmentTag', {
      catalogId: stack.account,
      tagKey: LF_TAGS.department,
      tagValues: [...props.departments],
    });
    this.sharingTag = new lakeformation.CfnTag(this, 'SharingTag', {
      catalogId: stack.account,
      tagKey: LF_TAGS.sharing,
      tagValues: [...ACCESS_TYPES],
    });
    for (const tag of [this.classificationTag, this.departmentTag, this.sharingTag])
      tag.addResourceDependency(this.settings);

    this.dataAccessRole = new iam.Role(this, 'DataAccessRole', {
      assumedBy: new iam.ServicePrincipal('lakeformation.amazonaws.com'),
      description: 'Public data lake: Lake Formation reads curated with this role',
    });
    props.storage.grantCuratedRead(this.dataAccessRole);

    this.curatedLocation = new lakeformation.CfnResource(this, 'CuratedLocation', {
      resourceArn: props.storage.curatedBucket.arnForObjects(ZONE_PREFIX.curated.replace(/\/$/, '')),
      roleArn: this.dataAccessRole.roleArn,
      useServiceLinkedRole: false,
      hybridAccessEnabled: false,
    });
    this.curatedLocation.addResourceDependency(this.settings);
  }
}
