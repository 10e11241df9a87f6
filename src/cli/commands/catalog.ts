/**
 * `lake catalog [<department>/<dataset>]`: the datasets analysts can query (with how each is shared and
 * opened, and how often it is updated), or one of them in detail (catalog-page.ts).
 */
import { accessLabel } from '../../lake/catalogue.ts';
import type { DatasetInfo } from '../backend.ts';
import { ACCESS_LEGEND, accessCell, printDatasetPage, when } from '../catalog-page.ts';
import type { SearchHit } from '../catalog-search.ts';
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { EXIT, UsageError } from '../errors.ts';
import { commandNow } from '../overdue.ts';

/** Sample rows `lake catalog <department>/<dataset>` shows by default. */
export const DEFAULT_SAMPLE_ROWS = 5;
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
      const d = await lake.dataset(parseDatasetRef(positionals[0], 'the dataset'), {
        sample,
        now: commandNow(ctx.io.env),
      });
      ctx.out.document(d);
      printDatasetPage(ctx.out, d, lake.mode, sample);
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
    // An identity (`--as`) sees what it may read of each dataset.
    const withAccess = all.some((d) => d.access);
    const accessHeader = withAccess ? [{ header: 'access' }] : [];
    const accessOf = (d: DatasetInfo) => (withAccess ? [accessCell(d.access)] : []);
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
          ...accessHeader,
        ],
        hits.map((h) => [
          `${h.dataset.department}.${h.dataset.name}`,
          h.dataset.title,
          h.matches
            .slice(0, 2)
            .map((m) => `${m.where}: ${m.text}`)
            .join('; '),
          h.dataset.rows ?? '-',
          ...accessOf(h.dataset),
        ]),
      );
      if (withAccess) ctx.out.line(ctx.out.style(ACCESS_LEGEND, 'dim'));
      return EXIT.ok;
    }
    ctx.out.table(
      [
        { header: 'table' },
        { header: 'title', max: 40 },
        { header: 'owner', max: 32 },
        { header: 'class.' },
        { header: 'mode' },
        { header: 'sharing' },
        { header: 'opening' },
        { header: 'updated' },
        { header: 'rows', right: true },
        { header: 'last ingested' },
        ...accessHeader,
      ],
      list.map((d) => [
        `${d.department}.${d.name}`,
        d.title,
        d.owner,
        d.classification,
        d.mode,
        accessLabel('sharing', d.catalogue.sharing),
        accessLabel('opening', d.catalogue.opening),
        d.catalogue.updateFrequency ?? '-',
        d.rows ?? '-',
        when(d.lastIngested),
        ...accessOf(d),
      ]),
    );
    ctx.out.line();
    if (withAccess) ctx.out.line(ctx.out.style(ACCESS_LEGEND, 'dim'));
    ctx.out.line(
      ctx.out.style(
        '`lake catalog <department>/<dataset>` describes one; `lake query "<sql>"` queries them',
        'dim',
      ),
    );
    return EXIT.ok;
  },
};
