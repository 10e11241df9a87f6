/**
 * A department's upload role: assumable by exactly the principals departments.yaml names, and by nobody
 * while it names none (synth warns, saying how to fix it). The role may put files only under
 * `landing/<department>/` and read only the department's reports, with the KMS key usable only for those
 * objects.
 */
import { Annotations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Department } from '../../src/contracts/schema.ts';
import type { LakeStorage } from '../storage/lake-storage.ts';

/** Sid of the trust statement of a role no one may assume yet. */
export const NO_UPLOADERS_SID = 'NoUploadersYet';

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
        `department ${department.id} names no uploaders, so its upload role trusts nobody and no one can upload its files: add uploaders to departments.yaml (the role or user ARNs of its data stewards) and deploy again.`,
      );
    }
    storage.grantDepartmentUpload(this.role, department.id);
    storage.grantDepartmentReports(this.role, department.id);
  }
}
