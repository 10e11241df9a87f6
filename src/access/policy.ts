/**
 * Who may read what (the access policy), the same locally and in the deployed lake:
 *
 * - the lake's operator (no identity, local only) reads everything as published;
 * - a department's analysts and its steward read every column of their own department's datasets;
 * - a government analyst of another department reads an `unconditional` dataset (the default) and a
 *   `conditional` one only through an approved, unexpired grant (the granted columns, with --columns);
 *   a `none` dataset never. Columns classified `restricted` stay with the owning department: another
 *   department is never given them, not even through a grant (a request naming one is refused);
 * - an enterprise (outside the government) reads only through a grant on an `opening: conditional`
 *   dataset, and only its public columns that hold no personal data (a request naming any other is
 *   refused, naming the columns, never their values).
 *
 * Lineage and partition columns come with any readable table.
 */
import { DEFAULT_SHARING } from '../contracts/catalogue-schema.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import { datasetModel, tableColumns } from '../lake/dataset-model.ts';
import { AccessError } from './errors.ts';
import { type AccessRequest, isActive, type RequestKind } from './model.ts';
import type { Principal } from './principal.ts';

/** What the policy needs of a dataset (JSON-able: the access API reads it from its bundle). */
export interface DatasetAccess {
  /** `<department>/<dataset>` */
  dataset: string;
  department: string;
  title: string;
  sharing: { type: 'unconditional' | 'conditional' | 'none'; conditions?: string; basis?: string };
  /** Absent: not opened. */
  opening: { type: 'unconditional' | 'conditional' | 'none'; conditions?: string; basis?: string } | null;
  columns: DatasetColumn[];
}

export interface DatasetColumn {
  name: string;
  role: 'field' | 'lineage' | 'partition';
  classification: string;
  /** Kind of personal data, or null. */
  pii: string | null;
}

/** A contract's access facts. */
export function datasetAccess(contract: DatasetContract): DatasetAccess {
  const model = datasetModel(contract);
  return {
    dataset: model.id,
    department: contract.department,
    title: contract.title,
    sharing: { ...(contract.sharing ?? DEFAULT_SHARING) },
    opening: contract.opening ? { ...contract.opening } : null,
    columns: tableColumns(model).map((c) => ({
      name: c.name,
      role: c.role,
      classification: c.classification,
      pii: c.protection?.pii ?? null,
    })),
  };
}

/** What an identity reads of a dataset. */
export interface ReadAccess {
  /** The columns it reads (in table order); empty: the table is not there for it. */
  columns: string[];
  /** Why: own department, unconditional sharing, a grant (its id), or the operator. */
  basis: 'operator' | 'own' | 'unconditional' | 'grant' | null;
  grant?: string;
  /** When it reads nothing: whether a request can give it access (conditional), else why not. */
  request: 'possible' | 'not_shared' | null;
}

/** The columns a requester of `kind` may ever be given through a grant. */
export function grantableColumns(d: DatasetAccess, kind: RequestKind): DatasetColumn[] {
  return d.columns.filter((c) =>
    kind === 'opening' ? c.classification === 'public' && c.pii === null : c.classification !== 'restricted',
  );
}

/** The columns a grant gives (in table order): those it names, or every one its kind may be given. */
export function grantedColumns(d: DatasetAccess, grant: Pick<AccessRequest, 'kind' | 'columns'>): string[] {
  const grantable = grantableColumns(d, grant.kind);
  if (!grant.columns) return grantable.map((c) => c.name);
  const asked = new Set(grant.columns);
  return grantable.filter((c) => c.role !== 'field' || asked.has(c.name)).map((c) => c.name);
}

/** The kind of request a principal makes (sharing for a government principal, opening for an enterprise). */
export function requestKind(p: Principal): RequestKind {
  return p.kind === 'enterprise' ? 'opening' : 'sharing';
}

/**
 * What `who` reads of dataset `d` at `now`, given the requests (any: only `who`'s active grants for `d`
 * count). `who` null: the operator.
 */
export function readAccess(
  who: Principal | null,
  d: DatasetAccess,
  requests: readonly AccessRequest[],
  now: Date,
  requesterOf: (p: Principal) => string = (p) => `${p.kind}:${p.id}`,
): ReadAccess {
  const all = d.columns.map((c) => c.name);
  if (!who) return { columns: all, basis: 'operator', request: null };
  if (who.kind !== 'enterprise' && who.id === d.department)
    return { columns: all, basis: 'own', request: null };
  const kind = requestKind(who);
  const type = kind === 'opening' ? (d.opening?.type ?? 'none') : d.sharing.type;
  if (kind === 'sharing' && type === 'unconditional') {
    return {
      columns: grantableColumns(d, 'sharing').map((c) => c.name),
      basis: 'unconditional',
      request: null,
    };
  }
  if (type !== 'conditional') return { columns: [], basis: null, request: 'not_shared' };
  const me = requesterOf(who);
  const grants = requests.filter(
    (r) => r.dataset === d.dataset && r.requester === me && r.kind === kind && isActive(r, now),
  );
  if (grants.length === 0) return { columns: [], basis: null, request: 'possible' };
  const granted = new Set(grants.flatMap((g) => grantedColumns(d, g)));
  const latest = grants.reduce((a, b) => ((a.until ?? '') >= (b.until ?? '') ? a : b));
  return {
    columns: all.filter((c) => granted.has(c)),
    basis: 'grant',
    grant: latest.id,
    request: null,
  };
}

/**
 * Checks what a principal asks for: the dataset must need a request (conditional), the columns must exist
 * and be ones the principal may be given. Returns the request's kind and the columns (null: every one it
 * may be given).
 */
export function checkRequestable(
  who: Principal,
  d: DatasetAccess,
  columns: readonly string[] | null,
): { kind: RequestKind; columns: string[] | null } {
  const kind = requestKind(who);
  if (who.kind !== 'enterprise' && who.id === d.department) {
    throw new AccessError(`${d.dataset} is your own department's: you read it without a request`, {
      code: 'no_request_needed',
    });
  }
  const access = kind === 'opening' ? d.opening : d.sharing;
  const type = access?.type ?? 'none';
  if (kind === 'sharing' && type === 'unconditional') {
    throw new AccessError(
      `${d.dataset} is shared unconditionally: every government analyst reads it without a request`,
      {
        code: 'no_request_needed',
        hint: `Query it: lake query "SELECT * FROM ${d.dataset.replace('/', '.')} LIMIT 10".`,
      },
    );
  }
  if (kind === 'opening' && type === 'unconditional') {
    throw new AccessError(
      `${d.dataset} is opened unconditionally: it is published as open data, without a request`,
      {
        code: 'no_request_needed',
      },
    );
  }
  if (type !== 'conditional') {
    const what =
      kind === 'opening' ? 'opened to requests from outside the government' : 'shared with other departments';
    throw new AccessError(`${d.dataset} is not ${what}`, {
      code: 'not_shared',
      hint: access?.basis ? `Basis: ${access.basis}` : undefined,
    });
  }
  if (columns === null) return { kind, columns: null };
  const byName = new Map(d.columns.map((c) => [c.name, c]));
  const unknown = columns.filter((c) => !byName.has(c));
  if (unknown.length > 0) {
    throw new AccessError(`${d.dataset} has no column ${unknown.join(', ')}`, {
      code: 'bad_request',
      hint: `Its columns: ${d.columns
        .filter((c) => c.role === 'field')
        .map((c) => c.name)
        .join(', ')}.`,
    });
  }
  const grantable = new Set(grantableColumns(d, kind).map((c) => c.name));
  const refused = columns.filter((c) => !grantable.has(c)).map((c) => byName.get(c) as DatasetColumn);
  if (refused.length > 0) {
    if (kind === 'opening') {
      const personal = refused.filter((c) => c.pii !== null);
      const names = refused.map((c) =>
        c.pii ? `${c.name} (personal data: ${c.pii})` : `${c.name} (${c.classification})`,
      );
      throw new AccessError(
        `${personal.length > 0 ? 'personal data is never given outside the government' : 'only public columns are given outside the government'}: ${names.join(', ')}`,
        { code: 'personal_columns', hint: 'Ask again without these columns.' },
      );
    }
    throw new AccessError(
      `restricted columns stay with the owning department: ${refused.map((c) => c.name).join(', ')}`,
      { code: 'bad_request', hint: 'Ask again without these columns.' },
    );
  }
  return { kind, columns: [...new Set(columns)] };
}
