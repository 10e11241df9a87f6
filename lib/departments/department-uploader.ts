/**
 * A department's upload role: assumable by exactly the principals departments.yaml names, and by nobody
 * while it names none (synth warns, saying how to fix it). The role may put files only under
 * `landing/<department>/` and read only the department's reports, with the KMS key usable only for those
 * objects.
 *
 * With the web portal deployed, the role also trusts the portal API's role, for sessions named
 * `lake-cli-portal-<user's opaque id>` only: a steward signed in to the portal acts as this role, as they
 * would from the CLI. The portal is one more way in for the uploaders departments.yaml names, not a way
 * around them: while the department names none, the role trusts the portal no more than anyone.
 */
import { Annotations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Department } from '../../src/contracts/schema.ts';
import type { LakeStorage } from '../storage/lake-storage.ts';
import { PORTAL_SESSION_PREFIX } from './upload-role-name.ts';

/** Sid of the trust statement of a role no one may assume yet. */
export const NO_UPLOADERS_SID = 'NoUploadersYet';
/** Sid of the trust statement of the portal API's role. */
export const PORTAL_STEWARDS_SID = 'PortalStewards';

export interface DepartmentUploaderProps {
  readonly department: Department;
  readonly storage: LakeStorage;
  /**
   * The role's name: give one when another stack's policies must name the role (see uploadRoleName).
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
  /**
   * The role's IAM path.
   * @default - `/`
   */
  readonly rolePath?: string;
  /**
   * The web portal API's role, trusted for sessions named `lake-cli-portal-*` (when the department names
   * uploaders).
   * @default - the portal is not deployed: no trust in it
   */
  readonly portalApiRoleArn?: string;
}

export class DepartmentUploader extends Construct {
  public readonly role: iam.Role;
  /** True while departments.yaml names no uploader: the role then trusts nobody. */
  public readonly trustsNobody: boolean;

  constructor(scope: Construct, id: string, props: DepartmentUploaderProps) {
    super(scope, id);
    const { department, storage } = props;
    const principals = department.uploaders.map((arn) => new iam.ArnPrincipal(arn));
    this.trustsNobody = principals.length === 0;
    this.role = new iam.Role(this, 'Role', {
      description: `Public data lake: uploads of ${department.id}`.slice(0, 1000),
      roleName: props.roleName,
      path: props.rolePath,
      // Replaced below when there is no one to trust: iam.Role needs a principal to start from.
      assumedBy: this.trustsNobody
        ? new iam.AccountRootPrincipal()
        : new iam.CompositePrincipal(...principals),
    });
    if (this.trustsNobody) {
      (this.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: NO_UPLOADERS_SID,
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
          }),
        ],
      });
      Annotations.of(this).addWarningV2(
        'lake:no-uploaders',
        `department ${department.id} names no uploaders, so its upload role trusts nobody and no one can upload its files: add uploaders to departments.yaml (the role or user ARNs of its data stewards) and deploy again (stewards signed in to the web portal cannot act for it either).`,
      );
    }
    if (props.portalApiRoleArn && !this.trustsNobody) {
      this.role.assumeRolePolicy?.addStatements(
        new iam.PolicyStatement({
          sid: PORTAL_STEWARDS_SID,
          actions: ['sts:AssumeRole'],
          principals: [new iam.ArnPrincipal(props.portalApiRoleArn)],
          conditions: { StringLike: { 'sts:RoleSessionName': `${PORTAL_SESSION_PREFIX}*` } },
        }),
      );
    }
    storage.grantDepartmentUpload(this.role, department.id);
    storage.grantDepartmentReports(this.role, department.id);
  }
}
