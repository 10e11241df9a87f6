/** `lake catalog [<department>/<dataset>]`: the datasets analysts can query, or one of them in detail. */
import type { SearchHit } from '../catalog-search.ts';
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { EXIT } from '../errors.ts';

function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, 'Z') : '-';
}

export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'list the datasets, or describe one: owner, classification, columns, personal data, rows',
  usage: '[<department>/<dataset>] [--search <text>]',
  options: {
    search: {
      type: 'string',
      help: '<text> datasets whose name, title, description, owner, columns or headers match (Chinese, pinyin initials), best first',
    },
  },
  globals: LAKE_GLOBALS,
  async run(ctx, positionals, values) {
    const lake = await ctx.backend();
    if (positionals[0]) {
      const d = await lake.dataset(parseDatasetRef(positionals[0], 'the dataset'));
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
            : 'append (each upload adds rows)',
        ],
        ['primary key', d.primaryKey.join(', ') || '-'],
        ['rows', d.rows ?? '-'],
        ['last ingested', when(d.lastIngested)],
        ['location', d.location],
      ]);
      ctx.out.line();
      ctx.out.table(
        [
          { header: 'column' },
          { header: 'type' },
          { header: 'classification' },
          { header: 'personal data' },
          { header: 'description', max: 60 },
        ],
        d.columns.map((c) => [
          c.partition ? `${c.name} (partition)` : c.name,
          c.type,
          c.classification,
          c.pii
            ? `${c.pii}: ${c.protect === 'hash' ? 'hashed' : c.protect === 'keep' ? 'kept' : 'masked'}`
            : '',
          c.description ?? '',
        ]),
      );
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
