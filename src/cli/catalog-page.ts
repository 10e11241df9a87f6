/**
 * `lake catalog <department>/<dataset>` as the person at the terminal reads it: the description, the
 * facts of the table, its catalogue metadata (sharing, opening, update frequency and freshness, licence,
 * keywords, theme, area, period covered, contact point), its columns and a few sample rows. The command
 * fetches (catalog.ts); this module only lays out what the backend returned, so `--json` holds the same.
 */
import { ACCESS_TYPE_NAMES, type AccessEntry } from '../lake/catalogue.ts';
import { FRESHNESS_GRACE_DAYS } from '../lake/freshness.ts';
import type { DatasetAccessInfo, DatasetDetail } from './backend.ts';
import type { Output } from './output.ts';

/** Not read from a deployed lake: said where the value would be. */
export const NOT_DEPLOYED = 'not shown for a deployed lake';

/** An ISO 8601 time as one readable UTC string. */
export function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, 'Z') : '-';
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '-');

/** The period covered: the contract's fixed one, else the range of the table's date field. */
function period(d: DatasetDetail, mode: 'local' | 'aws'): string {
  const t = d.catalogue.temporal;
  if (t && 'start' in t) return `${t.start} to ${t.end ?? 'now'} (fixed by the contract)`;
  if (!d.period && d.access) {
    // An identity's page holds no period of a table, or a date field, it may not read.
    if (!d.access.readable) return '- (you may not read this table)';
    const field = t && 'field' in t ? t.field : undefined;
    const withheld = d.columns.filter(
      (c) => d.access?.withheldColumns.includes(c.name) && (c.name === field || c.type === 'date'),
    );
    if (withheld.length) return `- (its date field ${withheld[0].name} is not there for you)`;
  }
  if (!d.period) return mode === 'aws' ? NOT_DEPLOYED : '- (no date field)';
  if (!d.period.from) return `- (no rows; by ${d.period.field})`;
  return `${d.period.from} to ${d.period.to} (${d.period.field})`;
}

function accessText(kind: 'sharing' | 'opening', a: AccessEntry | null): string {
  if (!a) return 'not opened (the contract declares no opening)';
  return `${a.type} (${ACCESS_TYPE_NAMES[kind][a.type]})`;
}

function accessFields(kind: 'sharing' | 'opening', a: AccessEntry | null): [string, unknown][] {
  const pairs: [string, unknown][] = [[kind, accessText(kind, a)]];
  if (a?.conditions) pairs.push([`${kind} conditions`, a.conditions]);
  if (a?.basis) pairs.push([`${kind} basis`, a.basis]);
  return pairs;
}

/** Whether the dataset is late, in words. */
export function overdueText(d: Pick<DatasetDetail, 'freshness'>, mode: 'local' | 'aws'): string {
  const f = d.freshness;
  if (!f) return mode === 'aws' ? `${NOT_DEPLOYED}: \`lake status --overdue\`` : '-';
  switch (f.state) {
    case 'unscheduled':
      return '- (no update frequency in the contract)';
    case 'irregular':
      return 'never (updated irregularly)';
    case 'never':
      return 'no accepted upload yet';
    case 'unknown':
      return mode === 'aws' ? `${NOT_DEPLOYED}: \`lake status --overdue\`` : '-';
    case 'current':
      return `no (overdue from ${day(f.overdueAt)}, after ${FRESHNESS_GRACE_DAYS} days' grace)`;
    case 'overdue':
      return `yes, ${f.daysOverdue} day${f.daysOverdue === 1 ? '' : 's'} past the due date`;
  }
}

/** The catalogue metadata and freshness lines of the dataset page. */
export function catalogueFields(d: DatasetDetail, mode: 'local' | 'aws'): [string, unknown][] {
  const c = d.catalogue;
  const f = d.freshness;
  const contact = c.contactPoint
    ? [c.contactPoint.name, c.contactPoint.email, c.contactPoint.telephone].filter(Boolean).join(', ')
    : '-';
  return [
    ...accessFields('sharing', c.sharing),
    ...accessFields('opening', c.opening),
    ['update frequency', c.updateFrequency ?? '-'],
    ['last accepted upload', f ? when(f.lastUpload) : mode === 'aws' ? NOT_DEPLOYED : '-'],
    ['next update due', f?.dueAt ? day(f.dueAt) : '-'],
    ['overdue', overdueText(d, mode)],
    ['licence', c.license ?? '-'],
    ['keywords', c.keywords.join(', ') || '-'],
    ['theme', c.theme.map((t) => `${t.code} ${t.name} (${t.nameZh})`).join('; ') || '-'],
    ['area', c.spatial ? `${c.spatial.code}${c.spatial.name ? ` ${c.spatial.name}` : ''}` : '-'],
    ['period', period(d, mode)],
    ['contact point', contact],
  ];
}

/** The sample rows, as published. */
function printSample(out: Output, d: DatasetDetail, asked: number): void {
  if (asked === 0) return;
  out.line();
  if (d.sample === null) {
    out.line(`sample rows: ${NOT_DEPLOYED}: \`lake query "SELECT * FROM ${d.table} LIMIT ${asked}"\``);
    return;
  }
  if (d.access && !d.access.readable) {
    out.line('sample rows: none (you may not read this table)');
    return;
  }
  if (d.sample.length === 0) {
    out.line('sample rows: none (the table is empty)');
    return;
  }
  out.line(`sample rows (${d.sample.length}, as published):`);
  const names = Object.keys(d.sample[0]);
  out.table(
    names.map((n) => ({ header: n, max: 30 })),
    d.sample.map((r) => names.map((n) => r[n])),
  );
}

/** The list's `access` cell for an identity (`--as`): reads, reads with columns withheld, request or no. */
export function accessCell(a: DatasetAccessInfo | undefined): string {
  if (!a) return '-';
  if (a.readable) return a.withheldColumns.length ? `reads (${a.withheldColumns.length} withheld)` : 'reads';
  return a.request && a.request !== 'not shared' ? 'request' : 'no';
}

/** The legend of the list's `access` column. */
export const ACCESS_LEGEND =
  'access (--as): reads = you may query it (n withheld: columns not there for you); request = a granted request gives it: `lake catalog <department>/<dataset>` shows the command; no = not shared with you';

const BASIS_TEXT: Record<string, string> = {
  own: "its own department's dataset",
  unconditional: 'shared unconditionally',
  operator: "the lake's operator",
};

/** The dataset page's lines on what the identity (`--as`) may read, and the request that would give it. */
export function accessPageFields(a: DatasetAccessInfo): [string, unknown][] {
  if (a.readable) {
    const basis =
      a.basis === 'grant' ? `through grant ${a.grant ?? '?'}` : (BASIS_TEXT[a.basis ?? ''] ?? '-');
    const read = a.withheldColumns.length
      ? `every column but ${a.withheldColumns.join(', ')} (${basis})`
      : `every column (${basis})`;
    return [['you may read', read]];
  }
  if (a.request && a.request !== 'not shared') {
    return [
      ['you may read', 'nothing yet: it is shared on request, and you have no grant'],
      ['to request it', a.request],
    ];
  }
  return [['you may read', 'nothing: it is not shared with you, and no request can give access']];
}

const MODE_TEXT: Record<string, string> = {
  replace: 'replace (each upload is the whole dataset)',
  upsert: 'upsert (each upload adds rows and replaces those of the same primary key)',
  append: 'append (each upload adds rows)',
};

/** The whole dataset page. */
export function printDatasetPage(out: Output, d: DatasetDetail, mode: 'local' | 'aws', sample: number): void {
  out.heading(`${d.table} — ${d.title}`);
  if (d.description) out.line(d.description);
  out.line();
  out.fields([
    ['owner', d.owner === d.department ? d.owner : `${d.department}: ${d.owner}`],
    ['classification', d.classification],
    ['mode', MODE_TEXT[d.mode] ?? d.mode],
    ['primary key', d.primaryKey.join(', ') || '-'],
    ['rows', d.rows ?? '-'],
    ['last ingested', when(d.lastIngested)],
    [
      'last upload',
      d.lastUpload
        ? `${d.lastUpload.uploadId}, ${d.lastUpload.status}, ${when(d.lastUpload.startedAt)}`
        : mode === 'aws'
          ? `${NOT_DEPLOYED}: \`lake status --dataset ${d.dataset}\``
          : 'none',
    ],
    ['in quarantine', d.quarantinedRows ?? `${NOT_DEPLOYED}: \`lake status --dataset ${d.dataset}\``],
    ['location', d.location],
    ...(d.access ? accessPageFields(d.access) : []),
  ]);
  out.line();
  out.fields(catalogueFields(d, mode));
  out.line();
  out.table(
    [
      { header: 'column' },
      { header: 'type' },
      { header: 'classification' },
      { header: 'personal data' },
      { header: 'original headers', max: 30 },
      { header: 'description', max: 50 },
    ],
    d.columns.map((c) => [
      c.partition ? `${c.name} (partition)` : c.name,
      c.type,
      c.classification,
      c.pii ? `${c.pii}: ${c.protect === 'hash' ? 'hashed' : c.protect === 'keep' ? 'kept' : 'masked'}` : '',
      c.headers === null ? '?' : c.headers.join(', '),
      c.description ?? '',
    ]),
  );
  if (d.columns.some((c) => c.headers === null))
    out.line(
      out.style('original headers: ? = not kept by this deployment (deploy again to keep them)', 'dim'),
    );
  printSample(out, d, sample);
}
