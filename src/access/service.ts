/**
 * The access-request flow over a store, the same locally (`lake access`, `lake serve`) and in the
 * deployed lake's API: request, list, approve, deny, revoke, log, and canRead for the query engines.
 *
 *   request   a government analyst (conditional sharing) or an enterprise (conditional opening) asks for a
 *             dataset, a purpose, a date to last through and optionally columns;
 *   approve   the owning department's steward grants it (the same or an earlier date);
 *   deny      the steward refuses a pending request, with a reason;
 *   revoke    the steward takes an approved grant back, with a reason;
 *   expire    a grant past its date ends by itself (noticed by any call, recorded once).
 *
 * Every decision is idempotent (the same decision again changes nothing and says so); a request decided
 * otherwise is a conflict. Every request and decision is appended to the audit log.
 */
import { AccessError } from './errors.ts';
import { type AccessEvent, type AccessRequest, grantEnd, type RequestStatus, statusAt } from './model.ts';
import { checkRequestable, type DatasetAccess, type ReadAccess, readAccess } from './policy.ts';
import type { Principal } from './principal.ts';
import { checkText, checkUntil, conflict, newRequestId, notFound } from './request-checks.ts';
import type { AccessEffects, AccessStore } from './store.ts';

export { checkUntil, newRequestId };

/** The actor of an expiry. */
export const LAKE_ACTOR = 'lake';

/** Who acts: the principal (for the policy) and how the records name it (`analyst:health`, a role ARN). */
export interface Actor {
  principal: Principal;
  name: string;
}

export interface AccessServiceOptions {
  store: AccessStore;
  /** The datasets' access facts, keyed `<department>/<dataset>`. */
  datasets: ReadonlyMap<string, DatasetAccess>;
  effects?: AccessEffects;
  now?: () => Date;
}

export interface NewRequest {
  dataset: string;
  purpose: string;
  until: string;
  columns?: string[] | null;
}

/** A decision's outcome: the request as it is now, and whether this call changed it. */
export interface Decision {
  request: AccessRequest;
  changed: boolean;
}

const NO_EFFECTS: AccessEffects = { grant: async () => {}, revoke: async () => {} };

export class AccessService {
  private readonly store: AccessStore;
  private readonly effects: AccessEffects;
  private readonly now: () => Date;

  constructor(private readonly opts: AccessServiceOptions) {
    this.store = opts.store;
    this.effects = opts.effects ?? NO_EFFECTS;
    this.now = opts.now ?? (() => new Date());
  }

  private dataset(key: string): DatasetAccess {
    const d = this.opts.datasets.get(key);
    if (!d) {
      throw new AccessError(`there is no dataset ${key}`, {
        code: 'not_found',
        hint: 'Name it as <department>/<dataset>: `lake catalog` lists them.',
      });
    }
    return d;
  }

  /** Asks for access to a dataset. */
  async request(who: Actor, req: NewRequest): Promise<AccessRequest> {
    const d = this.dataset(req.dataset);
    const purpose = checkText(req.purpose, '--purpose', 'what the data will be used for');
    const now = this.now();
    const until = checkUntil(req.until, now, '--until');
    const { kind, columns } = checkRequestable(who.principal, d, req.columns ?? null);
    for (let attempt = 0; ; attempt++) {
      const request: AccessRequest = {
        id: newRequestId(),
        dataset: d.dataset,
        department: d.department,
        kind,
        requester: who.name,
        purpose,
        columns,
        requestedUntil: until,
        until: null,
        status: 'pending',
        createdAt: now.toISOString(),
        decidedAt: null,
        decidedBy: null,
        reason: null,
      };
      if (await this.store.create(request)) {
        await this.record(request, 'requested', who.name, { purpose, columns, until });
        return request;
      }
      if (attempt >= 5) throw new Error('could not find a free request id');
    }
  }

  /**
   * The requests `who` may see, newest first: a steward its department's datasets' requests, anyone
   * the requests it made; `everything` (the local operator) all of them. Expired grants are recorded as
   * they are noticed.
   */
  async list(
    who: Actor | 'everything',
    filter: { status?: RequestStatus; dataset?: string } = {},
  ): Promise<AccessRequest[]> {
    const all = await this.sweep();
    return all
      .filter((r) => who === 'everything' || mayView(who, r))
      .filter((r) => !filter.status || r.status === filter.status)
      .filter((r) => !filter.dataset || r.dataset === filter.dataset)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  }

  /** The requests `who` made, newest first (a steward's department's requests made by others are not theirs). */
  async mine(who: Actor): Promise<AccessRequest[]> {
    return (await this.list(who)).filter((r) => r.requester === who.name);
  }

  /** One request whoever asks (the lake's operator, the API's expiry): null when there is none. */
  async getAny(id: string): Promise<AccessRequest | null> {
    await this.sweep();
    return this.store.get(id);
  }

  /** One request, if `who` may see it. */
  async get(who: Actor, id: string): Promise<AccessRequest> {
    await this.sweep();
    const r = await this.store.get(id);
    if (!r || !mayView(who, r)) throw notFound(id);
    return r;
  }

  async approve(who: Actor, id: string, opts: { until?: string } = {}): Promise<Decision> {
    const r = await this.decidable(who, id);
    const now = this.now();
    if (r.status === 'approved') {
      // Idempotent: the grant is made again (it may have been cut short), the record stays.
      await this.effects.grant(r);
      return { request: r, changed: false };
    }
    if (r.status !== 'pending') throw conflict(r, 'approved');
    let until = r.requestedUntil;
    if (opts.until) {
      until = checkUntil(opts.until, now, '--until');
      if (until > r.requestedUntil) {
        throw new AccessError(`--until ${until} is after the ${r.requestedUntil} the requester asked for`, {
          code: 'bad_request',
          hint: 'A steward may shorten a grant, not lengthen it: the requester asks again for longer.',
        });
      }
    } else if (now >= grantEnd(until)) {
      throw new AccessError(`the request asked for access until ${until}, which has passed`, {
        code: 'conflict',
        hint: 'Deny it: the requester asks again.',
      });
    }
    const next: AccessRequest = {
      ...r,
      status: 'approved',
      until,
      decidedAt: now.toISOString(),
      decidedBy: who.name,
    };
    await this.effects.grant(next);
    if (!(await this.store.update(next, 'pending'))) return this.raced(who, id, 'approved');
    await this.record(next, 'approved', who.name, { columns: next.columns, until });
    return { request: next, changed: true };
  }

  async deny(who: Actor, id: string, reason: string): Promise<Decision> {
    const text = checkText(reason, '--reason', 'why the request is denied');
    const r = await this.decidable(who, id);
    if (r.status === 'denied') return { request: r, changed: false };
    if (r.status !== 'pending') throw conflict(r, 'denied');
    const next: AccessRequest = {
      ...r,
      status: 'denied',
      reason: text,
      decidedAt: this.now().toISOString(),
      decidedBy: who.name,
    };
    if (!(await this.store.update(next, 'pending'))) return this.raced(who, id, 'denied');
    await this.record(next, 'denied', who.name, { reason: text });
    return { request: next, changed: true };
  }

  async revoke(who: Actor, id: string, reason: string): Promise<Decision> {
    const text = checkText(reason, '--reason', 'why the grant is revoked');
    const r = await this.decidable(who, id);
    if (r.status === 'revoked' || r.status === 'expired') {
      await this.effects.revoke(r);
      return { request: r, changed: false };
    }
    if (r.status !== 'approved') throw conflict(r, 'revoked');
    const next: AccessRequest = {
      ...r,
      status: 'revoked',
      reason: text,
      decidedAt: this.now().toISOString(),
      decidedBy: who.name,
    };
    if (!(await this.store.update(next, 'approved'))) return this.raced(who, id, 'revoked');
    await this.effects.revoke(next);
    await this.record(next, 'revoked', who.name, { reason: text });
    return { request: next, changed: true };
  }

  /** Ends a grant past its date (the deployed lake's schedule calls it; any call notices it too). */
  async expire(id: string): Promise<Decision> {
    const r = await this.store.get(id);
    if (!r) throw notFound(id);
    const now = this.now();
    if (r.status === 'expired') {
      await this.effects.revoke(r);
      return { request: r, changed: false };
    }
    if (r.status !== 'approved' || statusAt(r, now) !== 'expired') return { request: r, changed: false };
    const next: AccessRequest = {
      ...r,
      status: 'expired',
      decidedAt: now.toISOString(),
      decidedBy: LAKE_ACTOR,
    };
    if (!(await this.store.update(next, 'approved'))) {
      return { request: (await this.store.get(id)) ?? r, changed: false };
    }
    await this.effects.revoke(next);
    await this.record(next, 'expired', LAKE_ACTOR, { until: r.until ?? undefined });
    return { request: next, changed: true };
  }

  /**
   * The audit log as `who` may read it: a steward its department's datasets' events, anyone the events
   * of its own requests; `everything` (the operator) all of it.
   */
  async log(
    who: Actor | 'everything',
    filter: { dataset?: string; request?: string } = {},
  ): Promise<AccessEvent[]> {
    await this.sweep();
    const events = await this.store.events();
    return events.filter(
      (e) =>
        (who === 'everything' || mayViewEvent(who, e)) &&
        (!filter.dataset || e.dataset === filter.dataset) &&
        (!filter.request || e.request === filter.request),
    );
  }

  /** What `who` reads of a dataset now (null: the operator). */
  async canRead(who: Actor | null, dataset: string): Promise<ReadAccess> {
    const d = this.dataset(dataset);
    const requests = await this.sweep();
    return readAccess(who?.principal ?? null, d, requests, this.now(), () => who?.name ?? '');
  }

  /** What `who` reads of every dataset now, keyed `<department>/<dataset>`. */
  async readable(who: Actor | null): Promise<Map<string, ReadAccess>> {
    const requests = await this.sweep();
    const now = this.now();
    const out = new Map<string, ReadAccess>();
    for (const [key, d] of this.opts.datasets) {
      out.set(
        key,
        readAccess(who?.principal ?? null, d, requests, now, () => who?.name ?? ''),
      );
    }
    return out;
  }

  /** Records the expiry of every grant past its date; returns the requests as they are now. */
  private async sweep(): Promise<AccessRequest[]> {
    const now = this.now();
    const all = await this.store.requests();
    const out: AccessRequest[] = [];
    for (const r of all) {
      out.push(
        r.status === 'approved' && statusAt(r, now) === 'expired' ? (await this.expire(r.id)).request : r,
      );
    }
    return out;
  }

  /** The request, if `who` is its department's steward (after noticing an expiry). */
  private async decidable(who: Actor, id: string): Promise<AccessRequest> {
    await this.sweep();
    const r = await this.store.get(id);
    if (!r) throw notFound(id);
    const p = who.principal;
    if (p.kind !== 'steward' || p.id !== r.department) {
      throw new AccessError(`only ${r.department}'s data steward decides on requests for ${r.dataset}`, {
        code: 'forbidden',
        hint: `Act as steward:${r.department} (the owning department's steward).`,
      });
    }
    return r;
  }

  /** Another decision came first: this one is a repeat (unchanged) or a conflict. */
  private async raced(who: Actor, id: string, wanted: RequestStatus): Promise<Decision> {
    const now = (await this.store.get(id)) as AccessRequest;
    if (now.status === wanted) return { request: now, changed: false };
    void who;
    throw conflict(now, wanted);
  }

  private async record(
    r: AccessRequest,
    event: AccessEvent['event'],
    actor: string,
    extra: Partial<Pick<AccessEvent, 'purpose' | 'reason' | 'columns' | 'until'>>,
  ): Promise<void> {
    await this.store.append({
      at: this.now().toISOString(),
      event,
      request: r.id,
      dataset: r.dataset,
      actor,
      requester: r.requester,
      ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
    });
  }
}

function mayView(who: Actor, r: AccessRequest): boolean {
  const p = who.principal;
  return r.requester === who.name || (p.kind === 'steward' && p.id === r.department);
}

function mayViewEvent(who: Actor, e: AccessEvent): boolean {
  const p = who.principal;
  return e.requester === who.name || (p.kind === 'steward' && e.dataset.startsWith(`${p.id}/`));
}
