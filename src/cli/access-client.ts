/**
 * What `lake access` asks of a lake: the local lake's access service acting as the identity (`--as`),
 * or the deployed lake's access API acting as the caller's AWS role (src/cli/aws/access-api.ts).
 */
import type {
  AccessEvent,
  AccessRequest,
  AccessService,
  Actor,
  Decision,
  NewRequest,
  RequestStatus,
} from '../access/index.ts';
import { UsageError } from './errors.ts';

export interface AccessClient {
  /** One line saying which lake, and as whom. */
  readonly description: string;
  request(req: NewRequest): Promise<AccessRequest>;
  list(filter: { status?: RequestStatus; dataset?: string }): Promise<AccessRequest[]>;
  approve(id: string, opts: { until?: string }): Promise<Decision>;
  deny(id: string, reason: string): Promise<Decision>;
  revoke(id: string, reason: string): Promise<Decision>;
  log(filter: { dataset?: string; request?: string }): Promise<AccessEvent[]>;
}

/** The local lake's requests, as `actor` (null: the operator, who lists and reads the log of everything). */
export class LocalAccessClient implements AccessClient {
  constructor(
    private readonly service: AccessService,
    private readonly actor: Actor | null,
    private readonly where: string,
  ) {}

  get description(): string {
    return `${this.where}, as ${this.actor ? this.actor.name : 'the operator (no --as)'}`;
  }

  private as(what: string, example: string): Actor {
    if (!this.actor) {
      throw new UsageError(
        `${what} needs an identity: the local operator neither asks nor decides`,
        `Act as someone with --as (or LAKE_AS), e.g. --as ${example}.`,
      );
    }
    return this.actor;
  }

  request(req: NewRequest): Promise<AccessRequest> {
    return this.service.request(this.as('a request', 'analyst:health'), req);
  }
  list(filter: { status?: RequestStatus; dataset?: string }): Promise<AccessRequest[]> {
    return this.service.list(this.actor ?? 'everything', filter);
  }
  approve(id: string, opts: { until?: string }): Promise<Decision> {
    return this.service.approve(this.as('approving', 'steward:health'), id, opts);
  }
  deny(id: string, reason: string): Promise<Decision> {
    return this.service.deny(this.as('denying', 'steward:health'), id, reason);
  }
  revoke(id: string, reason: string): Promise<Decision> {
    return this.service.revoke(this.as('revoking', 'steward:health'), id, reason);
  }
  log(filter: { dataset?: string; request?: string }): Promise<AccessEvent[]> {
    return this.service.log(this.actor ?? 'everything', filter);
  }
}
