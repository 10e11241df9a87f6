/**
 * A group of departments: for each, its upload role, Glue database and tables, report topic, the
 * Lake Formation grants of its analysts and, with the web portal, the role the portal acts as for its
 * analysts (lib/departments/portal-analyst.ts). Built on the core stack's buckets, keys and LF-tags.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { DatasetContract, Department } from '../src/contracts/schema.ts';
import { DEPARTMENT_OUTPUT_PREFIX, type DepartmentOutput, pascalId } from '../src/lake/outputs.ts';
import { grantStewardRoutes } from './access/access-requests.ts';
import { personaGrants, TagGrants } from './access/tag-grants.ts';
import { DepartmentCatalog } from './catalog/department-catalog.ts';
import type { DepartmentPersonas } from './config/lake-config.ts';
import { DepartmentOutcomes } from './departments/department-outcomes.ts';
import {
  ANALYST_QUERY_ID,
  analystWorkGroupName,
  departmentResourcesId,
  restrictedWorkGroupName,
} from './departments/department-stacks.ts';
import { DepartmentUploader } from './departments/department-uploader.ts';
import { PortalAnalyst } from './departments/portal-analyst.ts';
import {
  DEPARTMENT_ROLE_PATH,
  portalAnalystRoleName,
  portalApiRoleArn,
  portalEnterpriseRoleArn,
  uploadRoleName,
} from './departments/upload-role-name.ts';
import type { LakeStack } from './lake-stack.ts';
import { EnterpriseOpeningGrants } from './portal/portal-enterprise.ts';
import { departmentAudiences, LakeQuery } from './query/lake-query.ts';

export interface DepartmentResourcesProps {
  readonly core: LakeStack;
  readonly department: Department;
  readonly datasets: readonly DatasetContract[];
  /**
   * The department's analysts and restricted-data readers.
   * @default - none
   */
  readonly personas?: DepartmentPersonas;
}

/** Everything one department has in the lake besides its data. */
export class DepartmentResources extends Construct {
  public readonly uploader: DepartmentUploader;
  public readonly catalog: DepartmentCatalog;
  public readonly outcomes: DepartmentOutcomes;
  public readonly grants: TagGrants;
  /** The workgroup of the department's analysts, and the one of its restricted-data readers. */
  public readonly query: LakeQuery;
  public readonly restrictedQuery: LakeQuery;
  /** The role the web portal acts as for the department's signed-in analysts; undefined without the portal. */
  public readonly portalAnalyst?: PortalAnalyst;
  /** The portal enterprise role's Lake Formation ceiling in this department; undefined without the portal. */
  public readonly enterpriseGrants?: EnterpriseOpeningGrants;
  public readonly departmentId: string;

  constructor(scope: Construct, id: string, props: DepartmentResourcesProps) {
    super(scope, id);
    const { core, department } = props;
    this.departmentId = department.id;
    const { config } = core.inputs;
    // The core's bucket and key policies name this role by the same name (see LakeStack).
    this.uploader = new DepartmentUploader(this, 'Uploader', {
      department,
      storage: core.storage,
      roleName: uploadRoleName(core.stackName, department.id),
      rolePath: DEPARTMENT_ROLE_PATH,
      // Named, not referenced: the core stack names the portal API's role the same way (no export to lock).
      portalApiRoleArn: core.portal ? portalApiRoleArn(this, core.stackName) : undefined,
    });
    // The steward (who acts as the upload role) decides on its department's access requests.
    grantStewardRoutes(core.access.api, this.uploader.role, department.id);
    this.catalog = new DepartmentCatalog(this, 'Catalog', {
      department,
      datasets: props.datasets,
      curatedBucket: core.storage.curatedBucket,
      databasePrefix: config.catalog.databasePrefix,
      projectionStartDate: config.catalog.projectionStartDate,
      // The LF-tags are in the core stack, which this stack depends on as a whole.
    });
    this.outcomes = new DepartmentOutcomes(this, 'Outcomes', {
      department: department.id,
      reportsBucket: core.storage.quarantineBucket,
      key: core.opsKey,
    });
    const audiences = departmentAudiences(department.id);
    const queryProps = {
      storage: core.storage,
      bytesScannedCutoffPerQuery: config.query.bytesScannedCutoffPerQuery,
      databasePrefix: config.catalog.databasePrefix,
    };
    // Named: the core stack (the portal API's configuration) names the analysts' workgroup the same way.
    this.query = new LakeQuery(this, ANALYST_QUERY_ID, {
      ...queryProps,
      audience: audiences.analysts,
      workGroupName: analystWorkGroupName(core.stackName, department.id),
    });
    this.restrictedQuery = new LakeQuery(this, 'RestrictedQuery', {
      ...queryProps,
      audience: audiences.restricted,
      workGroupName: restrictedWorkGroupName(core.stackName, department.id),
    });
    // The portal's analysts of the department: one role, named as the core stack names it (bucket and key
    // policies, the access API), trusting the portal API's role (named too: no export to lock).
    if (core.portal) {
      this.portalAnalyst = new PortalAnalyst(this, 'PortalAnalyst', {
        departmentId: department.id,
        roleName: portalAnalystRoleName(core.stackName, department.id),
        rolePath: DEPARTMENT_ROLE_PATH,
        portalApiRoleArn: portalApiRoleArn(this, core.stackName),
        analystPolicy: this.query.analystPolicy,
        accessApi: core.access.api,
        departments: core.inputs.departments.map((d) => d.id),
      });
      // A name, not a reference: the portal API's configuration file names the workgroup as the core stack
      // computed it (no cross-stack export); the name made here must be that one.
      core.portal.api.checkWorkGroup(department.id, this.query.workGroupName);
    }
    const personas = props.personas ?? { analysts: [], restricted: [] };
    this.grants = new TagGrants(this, 'Analysts', {
      grants: [
        ...personaGrants(personas.analysts, 'department', [department.id]),
        ...personaGrants(personas.restricted, 'restricted', [department.id]),
        ...(this.portalAnalyst?.grants() ?? []),
      ],
      dependsOn: this.catalog.tables.map((t) => t.table),
    });
    // The portal's enterprise role (core stack, named): SELECT on the public, non-personal columns of the
    // department's conditionally opened tables, its ceiling; each enterprise's request gates the rest.
    if (core.portal?.enterprise) {
      this.enterpriseGrants = new EnterpriseOpeningGrants(this, 'EnterpriseOpening', {
        roleArn: portalEnterpriseRoleArn(this, core.stackName),
        databaseName: this.catalog.databaseName,
        datasets: props.datasets,
        dependsOn: this.catalog.tables.map((t) => t.table),
      });
    }
  }

  /** The department's entry in the outputs (see src/lake/outputs.ts). */
  public output(): DepartmentOutput {
    return {
      id: this.departmentId,
      database: this.catalog.databaseName,
      uploadRoleArn: this.uploader.role.roleArn,
      reportsTopicArn: this.outcomes.topic.topicArn,
      workGroup: this.query.workGroupName,
      analystPolicyArn: this.query.analystPolicy.managedPolicyArn,
      restrictedWorkGroup: this.restrictedQuery.workGroupName,
      restrictedAnalystPolicyArn: this.restrictedQuery.analystPolicy.managedPolicyArn,
    };
  }
}

export interface DepartmentsStackProps extends StackProps {
  readonly core: LakeStack;
  readonly departments: readonly Department[];
}

export class DepartmentsStack extends Stack {
  public readonly departments: DepartmentResources[] = [];

  constructor(scope: Construct, id: string, props: DepartmentsStackProps) {
    const names = props.departments.map((d) => d.id).join(', ');
    super(scope, id, { description: `Public data lake: departments ${names}`.slice(0, 1024), ...props });
    const { core } = props;
    this.addStackDependency(core);
    const { inputs } = core;
    for (const department of props.departments) {
      const resources = new DepartmentResources(this, departmentResourcesId(department.id), {
        core,
        department,
        datasets: inputs.datasets.filter((d) => d.department === department.id),
        personas: inputs.config.departments[department.id],
      });
      this.departments.push(resources);
      new CfnOutput(this, `${DEPARTMENT_OUTPUT_PREFIX}${pascalId(department.id)}`, {
        description: `${department.name}: database, upload role and report topic`.slice(0, 1024),
        value: this.toJsonString(resources.output()),
      });
    }
  }
}
