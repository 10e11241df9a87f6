/**
 * The public API, no sign-in: the open-data catalogue with search and filters, a dataset's page (its
 * description, publisher, update cycle, data dictionary, downloads and DCAT link), the downloads
 * themselves and the whole catalogue as DCAT-AP JSON-LD (the open zone under /open/). The public sees
 * open datasets only; an enterprise also those it may request, a government principal every one (their
 * metadata, never their rows).
 */
import type { Hono } from 'hono';
import { type Principal, principalText } from '../access/principal.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import { catalogueEntry, withSpatialName } from '../lake/catalogue.ts';
import { freshness } from '../lake/freshness.ts';
import { ApiError } from './api-error.ts';
import { catalogueItems, facets, filterCatalogue, isOpen, lastIngestedOf } from './catalogue-view.ts';
import type { PortalEnv } from './env.ts';
import type { PortalServices } from './services.ts';

/** The public's catalogue link for a dataset (its DCAT identifier in catalog.jsonld). */
export const CATALOG_JSONLD = '/open/catalog.jsonld';

export function publicRoutes(app: Hono<PortalEnv>, s: PortalServices): void {
  const contractOf = (d: string) => s.contracts.datasets.get(d);

  app.get('/api/catalog', async (c) => {
    const items = await catalogueItems(s, isOpen);
    const q = c.req.query();
    const list = filterCatalogue(items, q, contractOf);
    return c.json({ datasets: list, facets: facets(items), total: items.length });
  });

  app.get('/api/datasets/:department/:name', async (c) => {
    const who = c.get('who');
    const key = `${c.req.param('department')}/${c.req.param('name')}`;
    const contract = contractOf(key);
    if (!contract || !mayView(who, contract))
      throw new ApiError(
        404,
        'unknown_dataset',
        `there is no open dataset ${key}`,
        'The catalogue lists them.',
      );
    const [department, name] = key.split('/');
    const d = await s.lake.dataset({ department, dataset: name }, { sample: 0 });
    const open = isOpen(contract);
    const access = who ? await s.access.canRead({ principal: who, name: principalText(who) }, key) : null;
    return c.json({
      ...d,
      // The contract's entry, with the area's name the lake looked up (divisions table, open-data index).
      ...withSpatialName(catalogueEntry(contract), d.catalogue.spatial),
      sample: null,
      freshness: freshness(contract.updateFrequency, lastIngestedOf(d), s.now()),
      open,
      downloads: open ? await downloads(s, key) : [],
      dcat: open ? `${CATALOG_JSONLD}#${key}` : null,
      access,
    });
  });

  // The open-data zone as it is (the catalogue's download links point here, as to CloudFront when deployed).
  app.get('/open/*', async (c) => {
    const path = safeDecode(c.req.path.slice('/open/'.length));
    const f = await s.open.file(path);
    if (!f)
      throw new ApiError(
        404,
        'unknown_file',
        `there is no open-data file "${path.slice(0, 120)}"`,
        'A dataset’s page lists its downloads.',
      );
    const download = !path.endsWith('.jsonld');
    return c.body(f.body as never, 200, {
      'Content-Type': f.contentType,
      ...(download
        ? { 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.filename)}` }
        : {}),
    });
  });
}

async function downloads(s: PortalServices, key: string) {
  const files = await s.open.files(key);
  return files.map((f) => ({ ...f, url: `/open/${key}/${encodeURIComponent(f.file)}` }));
}

/**
 * Whose a dataset's page is: the public's when it is open data; an enterprise's also when its opening is
 * conditional (it may request it); every government principal's.
 */
export function mayView(who: Principal | null, contract: DatasetContract): boolean {
  if (isOpen(contract)) return true;
  if (!who) return false;
  return who.kind !== 'enterprise' || contract.opening?.type === 'conditional';
}

/** A URL path decoded, or '' when it is not valid percent-encoding (then nothing matches it). */
function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '';
  }
}
