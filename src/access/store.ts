/** Where requests and the audit log are kept: a folder of the local lake, or DynamoDB in the deployed one. */
import type { AccessEvent, AccessRequest, RequestStatus } from './model.ts';

export interface AccessStore {
  /** Every request (the lake's requests are few: one a decision, not one a query). */
  requests(): Promise<AccessRequest[]>;
  get(id: string): Promise<AccessRequest | null>;
  /** Saves a new request; false when the id is taken. */
  create(request: AccessRequest): Promise<boolean>;
  /** Saves a request whose stored status is still `expected`; false when it is not (someone decided first). */
  update(request: AccessRequest, expected: RequestStatus): Promise<boolean>;
  /** Appends to the audit log. */
  append(event: AccessEvent): Promise<void>;
  /** The audit log, oldest first. */
  events(): Promise<AccessEvent[]>;
}

/**
 * What a decision does in the lake besides the record: nothing locally (the query engine reads the
 * grants), Lake Formation grants and an expiry schedule in the deployed lake. Each is safe to repeat.
 */
export interface AccessEffects {
  grant(request: AccessRequest): Promise<void>;
  /** Takes the grant back (revoked, or expired). */
  revoke(request: AccessRequest): Promise<void>;
}
