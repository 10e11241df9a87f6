/**
 * `lake erase --person <resident ID> --reason "…"` or `lake erase --dataset <d>/<ds> --key col=value …`:
 * a lake admin erases a person (or one row key) from every layer of the lake, for a deletion request.
 */
import type { ErasureReceipt } from '../../ingest/erase-receipt.ts';
import type { ErasureSubject } from '../../ingest/erase-subject.ts';
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { EXIT, UsageError } from '../errors.ts';
import type { Output } from '../output.ts';
import { formatInt } from '../output.ts';

const USAGE =
  '--person <resident ID> --reason "<why>" [--request <id>]  |  --dataset <department>/<dataset> --key <column>=<value> [--key …] --reason "<why>"';

export const eraseCommand: Command = {
  name: 'erase',
  summary: "erase a person's rows (or one row key) from every layer of the lake (as a lake admin)",
  usage: USAGE,
  options: {
    reason: { type: 'string', help: '<text> why: the request it answers (kept in the receipt)' },
    dataset: { type: 'string', help: '<department>/<dataset> with --key: the dataset of the row key' },
    person: {
      type: 'string',
      help: '<id> the resident ID of the person whose rows go, in every dataset that has one',
    },
    key: {
      type: 'string',
      multiple: true,
      help: '<column>=<value> one primary key column of --dataset (repeat for each)',
    },
    request: {
      type: 'string',
      help: '<id> the request id (names the receipt; give it again to finish one cut short)',
    },
  },
  globals: LAKE_GLOBALS,
  details:
    "Every row of the person leaves curated (each upload's file, an upsert dataset's merged states, withdrawn files), quarantine, landing and raw: rows found by the hash of the ID in hashed columns, and through the original files (the lines holding the ID, and the rows those lines became). Raw originals are rewritten with those lines emptied, so every other line keeps its number (the receipt keeps their sha256 before and after; an xlsx or JSON-array original is removed whole); a landing file holding the person is deleted. The erasure receipt (request id, who, when, why, rows removed per dataset and layer) holds no personal data and is kept at reports/_erasures/<id>.json. Running it again with the same --request finishes an erasure that was cut short. On the deployed lake it runs as the stack's erasure role, the only one that may delete past raw's retention.",
  async run(ctx, _positionals, values) {
    const reason = typeof values.reason === 'string' ? values.reason.trim() : '';
    const subject = subjectOf(values.person, values.dataset, values.key);
    if (!reason)
      throw new UsageError(
        'erase needs --reason "<why>"',
        'The reason is kept in the receipt, e.g. --reason "deletion request 2026-118 under PIPL art. 47".',
      );
    const requestId = typeof values.request === 'string' ? values.request : undefined;
    if (requestId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(requestId))
      throw new UsageError(
        `--request "${requestId}" is not a request id`,
        'Letters, digits, ".", "_" and "-", at most 80, e.g. --request pipl-2026-118.',
      );
    const lake = await ctx.backend();
    if (!ctx.out.json) ctx.out.notice(ctx.out.style(`lake: ${lake.description}`, 'dim'));
    const receipt = await lake.erase({ subject, reason, requestId });
    ctx.out.document(receipt);
    printReceipt(ctx.out, receipt);
    return EXIT.ok;
  },
};

function subjectOf(person: unknown, dataset: unknown, keys: unknown): ErasureSubject {
  const keyList = Array.isArray(keys) ? (keys as string[]) : typeof keys === 'string' ? [keys] : [];
  if (typeof person === 'string') {
    if (dataset !== undefined || keyList.length > 0)
      throw new UsageError(
        'erase takes --person, or --dataset with --key: not both',
        `Usage: lake erase ${USAGE}`,
      );
    return { kind: 'person', residentId: person };
  }
  if (dataset === undefined || keyList.length === 0)
    throw new UsageError(
      'erase needs --person <resident ID>, or --dataset with --key <column>=<value>',
      `Usage: lake erase ${USAGE}`,
    );
  const key: Record<string, string> = {};
  for (const k of keyList) {
    const i = k.indexOf('=');
    if (i <= 0)
      throw new UsageError(`--key "${k}" is not <column>=<value>`, 'e.g. --key payment_id=MZ202609000001');
    const name = k.slice(0, i).trim();
    if (name in key) throw new UsageError(`--key ${name} is given twice`);
    key[name] = k.slice(i + 1);
  }
  return { kind: 'key', dataset: parseDatasetRef(dataset as string), key };
}

function printReceipt(out: Output, r: ErasureReceipt): void {
  const datasets = Object.entries(r.datasets);
  out.heading(`✓ erasure ${r.requestId} ${r.completedAt ? 'completed' : 'under way'}`);
  out.fields([
    ['by', r.by],
    ['reason', r.reason],
    ['requested', r.requestedAt],
    ['searched', r.scope.datasets.join(', ') || 'no dataset declares a resident ID'],
    ['receipt', `reports/_erasures/${r.requestId}.json`],
  ]);
  out.line();
  if (datasets.length === 0) {
    out.line('Nothing to remove: no layer holds a row or line of the subject.');
    return;
  }
  out.table(
    [
      { header: 'dataset' },
      { header: 'curated rows', right: true },
      { header: 'quarantine rows', right: true },
      { header: 'raw lines', right: true },
      { header: 'raw files', right: true },
      { header: 'landing files', right: true },
    ],
    datasets.map(([id, d]) => [
      id,
      formatInt(d.curatedRows),
      formatInt(d.quarantineRows),
      formatInt(d.rawLines),
      formatInt(d.rawObjects),
      formatInt(d.landingObjects),
    ]),
  );
}
