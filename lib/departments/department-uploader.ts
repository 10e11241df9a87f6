/**
 * A department's upload role: assumable by the principals departments.yaml names (or, when it names
 * none, by principals of this account that are allowed to assume it), it may put files only under
 * `landing/<department>/` and read only the department's reports, with the KMS key usable only for
 * those objects.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Department } from '../../src/contracts/schema.ts';
import type { LakeStorage } from '../storage/lake-storage.ts';

export interface DepartmentUploaderProps {
  readonly department: Department;
  readonly storage: LakeStorage;
}

export class DepartmentUploader extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DepartmentUploaderProps) {
    super(scope, id);
    const { department, storage } = props;
    const principals = department.uploaders.map((arn) => new iam.ArnPrincipal(arn));
    this.role = new iam.Role(this, 'Role', {
      description: `Public data lake: uploads of ${department.id}`.slice(0, 1000),
      assumedBy:
        principals.length > 0 ? new iam.CompositePrincipal(...principals) : new iam.AccountRootPrincipal(),
    });
    storage.grantDepartmentUpload(this.role, department.id);
    storage.grantDepartmentReports(this.role, department.id);
  }
}
