/**
 * What a decision does in the deployed lake: approve grants SELECT with Lake Formation (on the table, or
 * on the granted columns: TableWithColumns) to the requester's role, and schedules a one-time EventBridge
 * Scheduler schedule at the grant's end that invokes this function to expire it; revoke and expiry take
 * the grant back and delete the schedule. Each is safe to repeat.
 *
 * An enterprise's grant (conditional opening, `enterprise:<name>`) is no Lake Formation grant: enterprises
 * read as the portal's one enterprise role, whose Lake Formation ceiling is the public, non-personal
 * columns of the conditionally opened tables (lib/portal/portal-enterprise.ts); which enterprise reads what
 * is the approved, unexpired request itself, which the portal checks before every read. Its approval still
 * schedules the expiry (which records it expired), and its revocation deletes the schedule.
 */
import {
  GrantPermissionsCommand,
  type LakeFormationClient,
  RevokePermissionsCommand,
} from '@aws-sdk/client-lakeformation';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { type AccessRequest, grantEnd } from '../../src/access/model.ts';
import { type DatasetAccess, grantedColumns } from '../../src/access/policy.ts';
import type { AccessEffects } from '../../src/access/store.ts';

export interface LakeEffectsOptions {
  lakeFormation: LakeFormationClient;
  scheduler: SchedulerClient;
  datasets: ReadonlyMap<string, DatasetAccess>;
  databasePrefix: string;
  /** The function the schedule invokes (this one), and the role the scheduler invokes it with. */
  functionArn: string;
  schedulerRoleArn: string;
  scheduleGroup: string;
}

/** The schedule that expires a grant: one per request. */
export function scheduleName(requestId: string): string {
  return `lake-access-${requestId}`;
}

/** What the schedule sends the function. */
export interface ExpireEvent {
  action: 'expire';
  request: string;
}

/** An enterprise's request (conditional opening): the portal gates it by the record, not Lake Formation. */
export function isEnterpriseGrant(r: AccessRequest): boolean {
  return r.kind === 'opening' || r.requester.startsWith('enterprise:');
}

export class LakeEffects implements AccessEffects {
  constructor(private readonly o: LakeEffectsOptions) {}

  /** The Lake Formation resource a request's grant is on. */
  resource(r: AccessRequest) {
    const d = this.o.datasets.get(r.dataset);
    if (!d) throw new Error(`no dataset ${r.dataset} in the access API's bundle`);
    const ref = { DatabaseName: `${this.o.databasePrefix}${d.department}`, Name: r.dataset.split('/')[1] };
    const columns = grantedColumns(d, r);
    return columns.length === d.columns.length
      ? { Table: ref }
      : { TableWithColumns: { ...ref, ColumnNames: columns } };
  }

  async grant(r: AccessRequest): Promise<void> {
    if (!isEnterpriseGrant(r)) {
      await this.o.lakeFormation.send(
        new GrantPermissionsCommand({
          Principal: { DataLakePrincipalIdentifier: r.requester },
          Resource: this.resource(r),
          Permissions: ['SELECT'],
        }),
      );
    }
    if (!r.until) return;
    const schedule = {
      Name: scheduleName(r.id),
      GroupName: this.o.scheduleGroup,
      ScheduleExpression: `at(${grantEnd(r.until).toISOString().slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: {
        Arn: this.o.functionArn,
        RoleArn: this.o.schedulerRoleArn,
        Input: JSON.stringify({ action: 'expire', request: r.id } satisfies ExpireEvent),
      },
      ActionAfterCompletion: 'DELETE' as const,
      Description: `Ends access request ${r.id} (${r.dataset}) at the end of ${r.until} UTC`,
    };
    try {
      await this.o.scheduler.send(new CreateScheduleCommand(schedule));
    } catch (e) {
      if ((e as Error).name !== 'ConflictException') throw e;
      await this.o.scheduler.send(new UpdateScheduleCommand(schedule));
    }
  }

  async revoke(r: AccessRequest): Promise<void> {
    try {
      if (!isEnterpriseGrant(r))
        await this.o.lakeFormation.send(
          new RevokePermissionsCommand({
            Principal: { DataLakePrincipalIdentifier: r.requester },
            Resource: this.resource(r),
            Permissions: ['SELECT'],
          }),
        );
    } catch (e) {
      // Already revoked: "Grantee has no permissions and no grantable permissions on resource".
      if (!((e as Error).name === 'InvalidInputException' && /no permissions/i.test((e as Error).message)))
        throw e;
    }
    try {
      await this.o.scheduler.send(
        new DeleteScheduleCommand({ Name: scheduleName(r.id), GroupName: this.o.scheduleGroup }),
      );
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException') throw e;
    }
  }
}
