/**
 * The local lake seen by an identity (`--as`): what the refusal of a query says (a table that is not
 * there for it names the table and how to ask for it), and what `lake catalog` adds to each dataset.
 */
import type { AccessService, Actor, ReadAccess } from '../access/index.ts';
import type { DatasetAccessInfo } from './backend.ts';
import { CliError, EXIT } from './errors.ts';

export interface LocalAccess {
  actor: Actor;
  service: AccessService;
}

/** The form of a request for a dataset, as a command line. */
export function requestCommand(dataset: string): string {
  return `lake access request ${dataset} --purpose "…" --until <YYYY-MM-DD>`;
}

/** What `lake catalog` says of a dataset's access for the identity. */
export function accessInfo(dataset: string, read: ReadAccess, all: readonly string[]): DatasetAccessInfo {
  const withheld = all.filter((c) => !read.columns.includes(c));
  return {
    readable: read.columns.length > 0,
    basis: read.basis,
    ...(read.grant ? { grant: read.grant } : {}),
    withheldColumns: read.columns.length > 0 ? withheld : [],
    request:
      read.request === 'possible'
        ? requestCommand(dataset)
        : read.request === 'not_shared'
          ? 'not shared'
          : null,
  };
}

/** The tables of `<department>.<dataset>` form (quoted or not) that the SQL names, as `<department>/<dataset>`. */
export function tablesNamed(sql: string, known: Iterable<string>): string[] {
  const found: string[] = [];
  for (const key of known) {
    const [dept, ds] = key.split('/');
    const re = new RegExp(`(^|[^\\w"])"?${dept}"?\\s*\\.\\s*"?${ds}"?(?![\\w])`, 'i');
    if (re.test(sql)) found.push(key);
  }
  return found;
}

/**
 * A failed query of an identity, explained: a table it named that is not there for it (with how to ask
 * for it), or a column withheld from it. Else the error as it was.
 */
export function explainRefusal(
  e: unknown,
  sql: string,
  who: Actor,
  readable: ReadonlyMap<string, ReadAccess>,
  columnsOf: (dataset: string) => readonly string[],
): unknown {
  if (!(e instanceof CliError) || e.code !== 'query_failed') return e;
  const named = tablesNamed(sql, readable.keys());
  for (const key of named) {
    const read = readable.get(key) as ReadAccess;
    if (read.columns.length > 0) continue;
    const table = key.replace('/', '.');
    if (read.request === 'possible') {
      return new CliError(
        `${table} is not there for ${who.name}: it is shared on request, and you have no grant`,
        {
          hint: `Ask its department's steward: ${requestCommand(key)}; \`lake access list\` shows your requests.`,
          code: 'access_denied',
          exitCode: EXIT.failure,
          cause: e,
        },
      );
    }
    return new CliError(`${table} is not there for ${who.name}: it is not shared with you`, {
      hint: 'Its contract does not share it (sharing: none, or not opened): no request can give access.',
      code: 'access_denied',
      exitCode: EXIT.failure,
      cause: e,
    });
  }
  const m =
    /Referenced column "?([^"\s]+)"? not found|column "?([^"\s]+)"? not found|does not have a column named "([^"]+)"/i.exec(
      e.message,
    );
  const column = m ? (m[1] ?? m[2] ?? m[3]) : null;
  if (column) {
    for (const key of named) {
      const read = readable.get(key) as ReadAccess;
      if (columnsOf(key).includes(column) && !read.columns.includes(column)) {
        return new CliError(`column ${column} of ${key.replace('/', '.')} is not there for ${who.name}`, {
          hint:
            read.basis === 'grant'
              ? `Your grant ${read.grant} does not include it: ${requestCommand(key)} --columns …, naming it (restricted and personal columns are never given).`
              : 'Restricted columns stay with the owning department.',
          code: 'access_denied',
          exitCode: EXIT.failure,
          cause: e,
        });
      }
    }
  }
  return e;
}
