/**
 * `lake access`: sharing through access requests. An analyst of another department (or an enterprise)
 * asks for a conditional dataset; the owning department's steward approves, denies or revokes; grants end
 * by themselves at their date; every request and decision is in the audit log.
 *
 * Locally the identity is `--as <principal>` (or LAKE_AS) and the local query engine enforces the grants;
 * deployed, the caller's AWS role is the identity and the access API applies Lake Formation grants.
 */
import type { Decision } from '../../access/index.ts';
import {
  type AccessEvent,
  type AccessRequest,
  MAX_GRANT_DAYS,
  REQUEST_STATUSES,
  type RequestStatus,
} from '../../access/model.ts';
import type { AccessClient } from '../access-client.ts';
import type { Command, OptionSpec } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import type { Context } from '../context.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { EXIT, UsageError } from '../errors.ts';

/** What `lake access --help` says besides the commands. */
export const ACCESS_GROUP_DETAILS = [
  'A conditional dataset (sharing: conditional) is read by another department only through a request its',
  "steward approves; an enterprise reads an opening: conditional dataset's public, non-personal columns the same way.",
  `Grants last through their --until date (at most ${MAX_GRANT_DAYS} days ahead) and end by themselves.`,
  '',
  'On the local lake, act as someone with --as <principal> (or LAKE_AS): steward:<department>,',
  'analyst:<department> or enterprise:<name>; queries then see only what that identity may read. Without',
  "--as, the local CLI is the lake's operator: it sees everything as published (and lists every request).",
  'On the deployed lake, your AWS role is who you are: the access API decides, Lake Formation enforces.',
].join('\n');

const idOption = (positionals: readonly string[], command: string): string => {
  const id = positionals[0];
  if (!id || positionals.length > 1) {
    throw new UsageError(
      `lake access ${command} needs one request id`,
      `e.g. lake access ${command} r-7k2m9q; \`lake access list\` shows them.`,
    );
  }
  return id;
};

/** The lake's access requests, as the identity acting. */
async function client(ctx: Context): Promise<AccessClient> {
  const lake = await ctx.chooseLake();
  if (lake === 'local') {
    const { LocalAccessClient } = await import('../access-client.ts');
    return new LocalAccessClient(ctx.accessService(), ctx.identity(), `local lake in ${ctx.lakeDir}`);
  }
  ctx.refuseIdentityOnAws();
  const { ApiAccessClient } = await import('../aws/access-api.ts');
  return ApiAccessClient.forLake(lake, ctx.awsCredentialSettings(), ctx.hooks.accessFetch);
}

function printRequest(ctx: Context, r: AccessRequest): void {
  ctx.out.fields([
    ['request', r.id],
    ['dataset', r.dataset],
    ['status', r.status],
    ['requester', r.requester],
    ['purpose', r.purpose],
    ['columns', r.columns ? r.columns.join(', ') : 'every column it may be given'],
    ['until', r.until ?? `${r.requestedUntil} (asked)`],
    ...(r.decidedBy ? ([['decided', `${r.decidedAt} by ${r.decidedBy}`]] as const) : []),
    ...(r.reason ? ([['reason', r.reason]] as const) : []),
  ]);
}

function printDecision(ctx: Context, d: Decision, verb: string): void {
  ctx.out.document({ request: d.request, changed: d.changed });
  const r = d.request;
  ctx.out.line(d.changed ? `${r.id} ${verb}` : `${r.id} was already ${r.status}: nothing changed`);
  printRequest(ctx, r);
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const accessRequestCommand: Command = {
  name: 'access request',
  summary: "ask for a conditional dataset (the owning department's steward decides)",
  usage: '<department>/<dataset> --purpose <text> --until <YYYY-MM-DD> [--columns <a,b,…>]',
  options: {
    purpose: {
      type: 'string',
      help: '<text> what the data will be used for (kept in the audit log: no personal data)',
    },
    until: {
      type: 'string',
      help: `<YYYY-MM-DD> request: the last day access is needed (at most ${MAX_GRANT_DAYS} days ahead); approve: an earlier one`,
    },
    columns: { type: 'string', help: '<a,b,…> only these columns (default: every column you may be given)' },
  },
  globals: LAKE_GLOBALS,
  details: ACCESS_GROUP_DETAILS,
  async run(ctx, positionals, values) {
    if (positionals.length !== 1)
      throw new UsageError('lake access request needs one dataset, <department>/<dataset>');
    const ref = parseDatasetRef(positionals[0], 'the dataset');
    const columns = text(values.columns)
      ?.split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const api = await client(ctx);
    const r = await api.request({
      dataset: `${ref.department}/${ref.dataset}`,
      purpose: text(values.purpose) ?? '',
      until: text(values.until) ?? '',
      columns: columns && columns.length > 0 ? columns : null,
    });
    ctx.out.document({ request: r });
    ctx.out.line(
      `${r.id} asked: ${r.department}'s steward decides (lake access approve ${r.id} | deny ${r.id} --reason …)`,
    );
    printRequest(ctx, r);
    return EXIT.ok;
  },
};

export const accessListCommand: Command = {
  name: 'access list',
  summary: "list access requests: a steward its department's datasets', anyone its own",
  usage: '[--status <status>] [--dataset <department>/<dataset>]',
  options: {
    status: { type: 'string', help: `<status> only these: ${REQUEST_STATUSES.join(', ')}` },
    dataset: { type: 'string', help: '<department>/<dataset> only this dataset' },
  },
  globals: LAKE_GLOBALS,
  details: ACCESS_GROUP_DETAILS,
  async run(ctx, _positionals, values) {
    const status = text(values.status);
    if (status && !(REQUEST_STATUSES as readonly string[]).includes(status))
      throw new UsageError(`--status must be one of ${REQUEST_STATUSES.join(', ')}, not "${status}"`);
    const dataset = values.dataset ? parseDatasetRef(text(values.dataset)) : null;
    const api = await client(ctx);
    const requests = await api.list({
      ...(status ? { status: status as RequestStatus } : {}),
      ...(dataset ? { dataset: `${dataset.department}/${dataset.dataset}` } : {}),
    });
    ctx.out.document({ requests });
    if (requests.length === 0) {
      ctx.out.line(`no access requests (${api.description})`);
      return EXIT.ok;
    }
    ctx.out.table(
      [
        { header: 'request' },
        { header: 'dataset' },
        { header: 'status' },
        { header: 'requester' },
        { header: 'until' },
        { header: 'columns', max: 30 },
        { header: 'purpose', max: 40 },
      ],
      requests.map((r) => [
        r.id,
        r.dataset,
        r.status,
        r.requester,
        r.until ?? `${r.requestedUntil}?`,
        r.columns ? r.columns.join(',') : 'all',
        r.purpose,
      ]),
    );
    return EXIT.ok;
  },
};

function decisionCommand(
  verb: 'approve' | 'deny' | 'revoke',
  summary: string,
  options: Record<string, OptionSpec>,
  decide: (api: AccessClient, id: string, values: Record<string, unknown>) => Promise<Decision>,
  done: string,
): Command {
  return {
    name: `access ${verb}`,
    summary,
    usage: `<request id> ${Object.keys(options)
      .map((o) => (o === 'reason' ? '--reason <text>' : `[--${o} <YYYY-MM-DD>]`))
      .join(' ')}`.trim(),
    options,
    globals: LAKE_GLOBALS,
    details: `Only the owning department's steward decides (locally --as steward:<department>). A decision made again changes nothing and says so.\n\n${ACCESS_GROUP_DETAILS}`,
    async run(ctx, positionals, values) {
      const id = idOption(positionals, verb);
      const api = await client(ctx);
      printDecision(ctx, await decide(api, id, values), done);
      return EXIT.ok;
    },
  };
}

const reasonOption: OptionSpec = {
  type: 'string',
  help: '<text> why (kept in the audit log: no personal data)',
};

export const accessApproveCommand = decisionCommand(
  'approve',
  'grant a pending request (the same or an earlier --until)',
  { until: accessRequestCommand.options.until },
  (api, id, v) => api.approve(id, { until: text(v.until) }),
  'approved',
);
export const accessDenyCommand = decisionCommand(
  'deny',
  'refuse a pending request, saying why',
  { reason: reasonOption },
  (api, id, v) => api.deny(id, text(v.reason) ?? ''),
  'denied',
);
export const accessRevokeCommand = decisionCommand(
  'revoke',
  'take an approved grant back before its date, saying why',
  { reason: reasonOption },
  (api, id, v) => api.revoke(id, text(v.reason) ?? ''),
  'revoked',
);

export const accessLogCommand: Command = {
  name: 'access log',
  summary: 'the audit log of access requests and decisions (who, when, purpose, reason, what was granted)',
  usage: '[--dataset <department>/<dataset>] [--request <id>]',
  options: {
    dataset: accessListCommand.options.dataset,
    request: { type: 'string', help: '<id> only this request' },
  },
  globals: LAKE_GLOBALS,
  details: `A steward reads its department's datasets' events, anyone those of its own requests; the local operator (no --as) all of them. Expiries are recorded the first time they are noticed.\n\n${ACCESS_GROUP_DETAILS}`,
  async run(ctx, _positionals, values) {
    const dataset = values.dataset ? parseDatasetRef(text(values.dataset)) : null;
    const api = await client(ctx);
    const events = await api.log({
      ...(dataset ? { dataset: `${dataset.department}/${dataset.dataset}` } : {}),
      ...(text(values.request) ? { request: text(values.request) } : {}),
    });
    ctx.out.document({ events });
    if (events.length === 0) {
      ctx.out.line(`the audit log is empty (${api.description})`);
      return EXIT.ok;
    }
    ctx.out.table(
      [
        { header: 'at' },
        { header: 'event' },
        { header: 'request' },
        { header: 'dataset' },
        { header: 'by' },
        { header: 'details', max: 60 },
      ],
      events.map((e) => [e.at, e.event, e.request, e.dataset, e.actor, eventDetails(e)]),
    );
    return EXIT.ok;
  },
};

function eventDetails(e: AccessEvent): string {
  const parts: string[] = [];
  if (e.event === 'requested') parts.push(`by ${e.requester}`);
  if (e.purpose) parts.push(`purpose: ${e.purpose}`);
  if (e.columns !== undefined) parts.push(`columns: ${e.columns ? e.columns.join(',') : 'all'}`);
  if (e.until) parts.push(`until ${e.until}`);
  if (e.reason) parts.push(`reason: ${e.reason}`);
  return parts.join('; ');
}

export const ACCESS_COMMANDS: readonly Command[] = [
  accessRequestCommand,
  accessListCommand,
  accessApproveCommand,
  accessDenyCommand,
  accessRevokeCommand,
  accessLogCommand,
];
