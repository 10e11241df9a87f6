/** `lake catalog [<department>/<dataset>]`: the datasets analysts can query, or one of them in detail. */
import type { DatasetDetail } from '../backend.ts';
import type { SearchHit } from '../catalog-search.ts';
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { EXIT, UsageError } from '../errors.ts';
import type { Output } from '../output.ts';

/** Sample rows `lake catalog <department>/<dataset>` shows by default. */
export const DEFAULT_SAMPLE_ROWS = 5;
/** Not read from a deployed lake: said where the value would be. */
const NOT_DEPLOYED = 'not shown for a deployed lake';

function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, 'Z') : '-';
}

function period(d: DatasetDetail, mode: 'local' | 'aws'): string {
  if (!d.period) return mode === 'aws' ? NOT_DEPLOYED : '- (no date field)';
  if (!d.period.from) return `- (no rows; by ${d.period.field})`;
  return `${d.period.from} to ${d.period.to} (${d.period.field})`;
}

/** The sample rows, as published. */
function printSample(out: Output, d: DatasetDetail, asked: number): void {
  if (asked === 0) return;
  out.line();
  if (d.sample === null) {
    out.line(`sample rows: ${NOT_DEPLOYED}: \`lake query "SELECT * FROM ${d.table} LIMIT ${asked}"\``);
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

export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'list the datasets, or describe one: owner, classification, columns, personal data, rows',
  usage: '[<department>/<dataset> [--sample <n>]] [--search <text>]',
  options: {
    sample: {
      type: 'string',
      help: `<n> sample rows of the dataset, as analysts see them (default ${DEFAULT_SAMPLE_ROWS}; 0 for none)`,
    },
    search: {
      type: 'string',
      help: '<text> datasets whose name, title, description, owner, columns or headers match (Chinese, pinyin initials), best first',
    },
  },
  globals: LAKE_GLOBALS,
  async run(ctx, positionals, values) {
    const lake = await ctx.backend();
    if (positionals[0]) {
      const sample = Number(values.sample ?? DEFAULT_SAMPLE_ROWS);
      if (!Number.isInteger(sample) || sample < 0)
        throw new UsageError(`--sample must be a whole number, not "${values.sample}"`);
      const d = await lake.dataset(parseDatasetRef(positionals[0], 'the dataset'), { sample });
      ctx.out.document(d);
      ctx.out.heading(`${d.table} — ${d.title}`);
      if (d.description) ctx.out.line(d.description);
      ctx.out.line();
      ctx.out.fields([
        ['owner', d.owner === d.department ? d.owner : `${d.department}: ${d.owner}`],
        ['classification', d.classification],
        [
          'mode',
          d.mode === 'replace'
            ? 'replace (each upload is the whole dataset)'
            : d.mode === 'upsert'
              ? 'upsert (each upload adds rows and replaces those of the same primary key)'
              : 'append (each upload adds rows)',
        ],
        ['primary key', d.primaryKey.join(', ') || '-'],
        ['rows', d.rows ?? '-'],
        ['period', period(d, lake.mode)],
        ['last ingested', when(d.lastIngested)],
        [
          'last upload',
          d.lastUpload
            ? `${d.lastUpload.uploadId}, ${d.lastUpload.status}, ${when(d.lastUpload.startedAt)}`
            : lake.mode === 'aws'
              ? `${NOT_DEPLOYED}: \`lake status --dataset ${d.dataset}\``
              : 'none',
        ],
        ['in quarantine', d.quarantinedRows ?? `${NOT_DEPLOYED}: \`lake status --dataset ${d.dataset}\``],
        ['location', d.location],
      ]);
      ctx.out.line();
      ctx.out.table(
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
          c.pii
            ? `${c.pii}: ${c.protect === 'hash' ? 'hashed' : c.protect === 'keep' ? 'kept' : 'masked'}`
            : '',
          c.headers === null ? '?' : c.headers.join(', '),
          c.description ?? '',
        ]),
      );
      if (d.columns.some((c) => c.headers === null))
        ctx.out.line(ctx.out.style('original headers: ? = not kept by a deployed lake', 'dim'));
      printSample(ctx.out, d, sample);
      return EXIT.ok;
    }
    const all = await lake.datasets();
    const search = values.search as string | undefined;
    let hits: SearchHit[] | null = null;
    if (search !== undefined) {
      const contracts = ctx.contractsIfAny();
      // Loaded when searching: pinyin's dictionary is not every command's business.
      const { searchDatasets } = await import('../catalog-search.ts');
      hits = searchDatasets(search, all, (d) => contracts?.datasets.get(d.dataset));
    }
    const list = hits ? hits.map((h) => h.dataset) : all;
    ctx.out.document(
      hits
        ? { search, datasets: hits.map((h) => ({ ...h.dataset, score: h.score, matches: h.matches })) }
        : { datasets: list },
    );
    if (list.length === 0) {
      ctx.out.line(hits ? `no dataset matches "${search}"` : 'no datasets: add contracts under datasets/');
      return EXIT.ok;
    }
    if (hits) {
      ctx.out.table(
        [
          { header: 'table' },
          { header: 'title', max: 40 },
          { header: 'matched', max: 60 },
          { header: 'rows', right: true },
        ],
        hits.map((h) => [
          `${h.dataset.department}.${h.dataset.name}`,
          h.dataset.title,
          h.matches
            .slice(0, 2)
            .map((m) => `${m.where}: ${m.text}`)
            .join('; '),
          h.dataset.rows ?? '-',
        ]),
      );
      return EXIT.ok;
    }
    ctx.out.table(
      [
        { header: 'table' },
        { header: 'title', max: 40 },
        { header: 'owner', max: 32 },
        { header: 'class.' },
        { header: 'mode' },
        { header: 'rows', right: true },
        { header: 'last ingested' },
      ],
      list.map((d) => [
        `${d.department}.${d.name}`,
        d.title,
        d.owner,
        d.classification,
        d.mode,
        d.rows ?? '-',
        when(d.lastIngested),
      ]),
    );
    ctx.out.line();
    ctx.out.line(
      ctx.out.style(
        '`lake catalog <department>/<dataset>` describes one; `lake query "<sql>"` queries them',
        'dim',
      ),
    );
    return EXIT.ok;
  },
};
