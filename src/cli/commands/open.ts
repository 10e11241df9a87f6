/**
 * `lake open`: what the lake publishes as open data (datasets with `opening: unconditional`): each dataset,
 * its rows, its files and their sizes, and where the DCAT-AP catalogue is. The local lake's is read from
 * `.lake/open/`; the deployed lake's from its CloudFront URL (stack output OpenDataUrl), as anyone reads it.
 */
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { CliError, EXIT } from '../errors.ts';

export const openCommand: Command = {
  name: 'open',
  summary: 'list the open data: datasets, files, sizes and the DCAT-AP catalogue',
  usage: '',
  options: {},
  globals: LAKE_GLOBALS,
  details:
    'A dataset is opened when its contract says `opening: { type: unconditional }`: after each accepted upload the lake publishes its public columns as CSV (UTF-8 with BOM, for Excel), Parquet and a data dictionary, and lists it in catalog.jsonld (DCAT-AP 3). See docs/open-data.md.',
  async run(ctx) {
    const { lakePaths } = await import('../../local/lake-dir.ts');
    const { localOpenListing, openCatalogLines, humanBytes } = await import(
      '../../ingest/open/open-listing.ts'
    );
    const lake = await ctx.chooseLake();
    let listing: Awaited<ReturnType<typeof localOpenListing>>;
    if (lake === 'local') {
      listing = await localOpenListing(lakePaths(ctx.lakeDir).open);
    } else {
      const base = lake.outputs.core.openDataUrl;
      if (!base) {
        throw new CliError(`the deployed lake (${lake.source}) has no OpenDataUrl output`, {
          hint: 'It was deployed before the open-data zone: deploy it again (npx cdk deploy --all --outputs-file cdk-outputs.json).',
          exitCode: EXIT.config,
          code: 'no_open_data',
        });
      }
      const { remoteOpenListing } = await import('../../ingest/open/remote-listing.ts');
      listing = await remoteOpenListing(base);
    }
    ctx.out.document({
      catalogue: listing.catalogue,
      datasets: listing.datasets.map((d) => ({
        id: d.id,
        title: d.title,
        rows: d.rows,
        modified: d.modified,
        files: d.files.map((f) => ({ kind: f.kind, url: f.url, bytes: f.bytes, sha256: f.sha256 })),
      })),
    });
    if (ctx.out.json) return EXIT.ok;
    if (listing.datasets.length === 0) {
      ctx.out.line(openCatalogLines(listing)[0]);
      return EXIT.ok;
    }
    const size = (d: (typeof listing.datasets)[number], kind: string) =>
      humanBytes(d.files.find((f) => f.kind === kind)?.bytes ?? 0);
    ctx.out.table(
      [
        { header: 'dataset' },
        { header: 'title', max: 32 },
        { header: 'rows', right: true },
        { header: 'CSV', right: true },
        { header: 'Parquet', right: true },
        { header: 'updated' },
      ],
      listing.datasets.map((d) => [
        d.id,
        d.title,
        d.rows,
        size(d, 'csv'),
        size(d, 'parquet'),
        d.modified.slice(0, 16),
      ]),
    );
    ctx.out.line();
    ctx.out.line(`DCAT-AP catalogue: ${listing.catalogue}`);
    return EXIT.ok;
  },
};
