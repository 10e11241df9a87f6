/** `lake catalog [<department>/<dataset>]`: the datasets analysts can query, or one of them in detail. */
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { parseDatasetRef } from '../contracts.ts';
import { EXIT } from '../errors.ts';

function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, 'Z') : '-';
}

export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'list the datasets, or describe one: owner, classification, columns, personal data, rows',
  usage: '[<department>/<dataset>] [--search <text>]',
  options: {
    search: { type: 'string', help: '<text> only datasets whose name, title or owner contains it' },
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
    const search = (values.search as string | undefined)?.toLowerCase();
    const all = await lake.datasets();
    const list = search
      ? all.filter((d) => [d.dataset, d.title, d.owner].some((s) => s.toLowerCase().includes(search)))
      : all;
    ctx.out.document({ datasets: list });
    if (list.length === 0) {
      ctx.out.line(search ? `no dataset matches "${search}"` : 'no datasets: add contracts under datasets/');
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
