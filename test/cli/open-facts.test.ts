/**
 * The deployed dataset page's facts from the open-data index (src/cli/aws/open-facts.ts): the newest
 * opened upload's time, the temporal field's range and the area's name, read over HTTP as anyone reads
 * the open zone, and merged into Glue's entry without overriding what Glue already knows.
 */
import { describe, expect, it } from 'vitest';
import { tableInfo } from '../../src/cli/aws/glue-catalog.ts';
import {
  detailWithOpenFacts,
  infoWithOpenFacts,
  openFactsOf,
  readOpenFacts,
} from '../../src/cli/aws/open-facts.ts';
import type { DatasetDetail } from '../../src/cli/backend.ts';
import {
  OPEN_INDEX_VERSION,
  type OpenDatasetEntry,
  type OpenIndex,
} from '../../src/ingest/open/open-index.ts';
import { catalogueEntry, withSpatialName } from '../../src/lake/catalogue.ts';
import { CATALOGUE_PARAMETERS } from '../../src/lake/catalogue-parameters.ts';
import { TABLE_PARAMETERS } from '../../src/lake/glue-table.ts';
import { uploadIdOf, uploadIdTime } from '../../src/lake/layout.ts';

const BASE = 'https://d222.cloudfront.net/';
const ARRIVED = new Date('2026-03-01T08:30:05.123Z');
const UPLOAD = uploadIdOf('landing/statistics/population/pop.csv', 'v1', ARRIVED);

function entry(over: Partial<OpenDatasetEntry> = {}): OpenDatasetEntry {
  return {
    id: 'statistics/population',
    department: 'statistics',
    dataset: 'population',
    mode: 'append',
    temporalField: 'reported_on',
    title: '人口',
    description: null,
    publisher: { id: 'statistics', name: '统计局' },
    keywords: [],
    theme: ['SOCI'],
    spatial: { code: '520000', name: '贵州省' },
    temporal: { start: '2020-01-01', end: '2025-12-31' },
    updateFrequency: 'monthly',
    license: 'CC-BY-4.0',
    contactPoint: null,
    modified: '2026-03-01T08:31:00.000Z',
    latestUpload: UPLOAD,
    rows: 12,
    files: [],
    ...over,
  };
}

function index(...entries: OpenDatasetEntry[]): OpenIndex {
  return {
    version: OPEN_INDEX_VERSION,
    baseUrl: BASE,
    updated: '2026-03-01T08:31:00.000Z',
    datasets: Object.fromEntries(entries.map((e) => [e.id, e])),
  };
}

/** A fetch that answers `body` (status 200) for the index URL only, and records what was asked. */
function serving(body: string | null, status = 200) {
  const asked: string[] = [];
  const fetchFn = (async (url: string) => {
    asked.push(String(url));
    if (String(url) !== `${BASE}catalog.json` || body === null) return new Response('no', { status: 404 });
    return new Response(body, { status });
  }) as typeof fetch;
  return { fetchFn, asked };
}

/** A Glue table's entry and page, as glueDatasetDetail gives them (nothing but Glue's facts). */
function gluePage(): DatasetDetail {
  const info = tableInfo(
    {
      Name: 'population',
      Parameters: {
        [TABLE_PARAMETERS.title]: '人口',
        [CATALOGUE_PARAMETERS.updateFrequency]: 'monthly',
        [CATALOGUE_PARAMETERS.spatial]: '520000',
      },
    },
    'statistics',
    '统计局',
  );
  return {
    ...info,
    description: null,
    primaryKey: [],
    format: null,
    location: '',
    table: 'statistics.population',
    columns: [],
    period: null,
    lastUpload: null,
    quarantinedRows: null,
    sample: null,
    freshness: null,
  };
}

describe('open-data index facts', () => {
  it('reads the time an upload id records, to the second', () => {
    expect(uploadIdTime(UPLOAD)).toBe('2026-03-01T08:30:05.000Z');
    expect(uploadIdTime('not-an-upload')).toBeNull();
  });

  it('takes the newest opened upload, the temporal field’s range and the area from an index entry', () => {
    expect(openFactsOf(entry())).toEqual({
      lastUpload: '2026-03-01T08:30:05.000Z',
      period: { field: 'reported_on', from: '2020-01-01', to: '2025-12-31' },
      spatial: { code: '520000', name: '贵州省' },
    });
    // A fixed period is the contract's (the page shows it from the catalogue entry): no computed range.
    expect(
      openFactsOf(entry({ temporalField: null, temporal: { start: '2020-01-01', end: null } })).period,
    ).toBeNull();
    expect(openFactsOf(entry({ latestUpload: null, spatial: null }))).toMatchObject({
      lastUpload: null,
      spatial: null,
    });
  });

  it('reads the index at the open-data URL, and knows nothing when there is none or it cannot be read', async () => {
    const ok = serving(JSON.stringify(index(entry())));
    const facts = await readOpenFacts(BASE.replace(/\/$/, ''), ok.fetchFn);
    expect(ok.asked).toEqual([`${BASE}catalog.json`]);
    expect([...facts.keys()]).toEqual(['statistics/population']);
    expect((await readOpenFacts(BASE, serving(null).fetchFn)).size).toBe(0);
    expect((await readOpenFacts(BASE, serving('{ broken').fetchFn)).size).toBe(0);
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    expect((await readOpenFacts(BASE, down)).size).toBe(0);
  });

  it('fills a Glue page’s last upload, period, area name and freshness, as of the time asked', () => {
    const facts = openFactsOf(entry());
    const page = detailWithOpenFacts(gluePage(), facts, new Date('2026-03-20T00:00:00Z'));
    expect(page.lastIngested).toBe('2026-03-01T08:30:05.000Z');
    expect(page.period).toEqual(facts.period);
    expect(page.catalogue.spatial).toEqual({ code: '520000', name: '贵州省' });
    expect(page.freshness).toMatchObject({ state: 'current', dueAt: '2026-04-01T08:30:05.000Z' });
    const late = detailWithOpenFacts(gluePage(), facts, new Date('2026-04-10T00:00:00Z'));
    expect(late.freshness).toMatchObject({ state: 'overdue', daysOverdue: 8 });
    // Not opened: the page stays as Glue gave it (unknown, not "never uploaded").
    expect(detailWithOpenFacts(gluePage(), undefined, new Date())).toEqual(gluePage());
  });

  it('never overrides what the page already knows, nor names another code’s area', () => {
    const known = { ...gluePage(), lastIngested: '2026-03-05T00:00:00.000Z' };
    const facts = openFactsOf(entry({ spatial: { code: '520100', name: '贵阳市' } }));
    const info = infoWithOpenFacts(known, facts);
    expect(info.lastIngested).toBe('2026-03-05T00:00:00.000Z');
    expect(info.catalogue.spatial).toEqual({ code: '520000', name: null });
    const contract = catalogueEntry({ spatial: '520000' });
    expect(withSpatialName(contract, { code: '520000', name: '贵州省' }).spatial?.name).toBe('贵州省');
    expect(withSpatialName(contract, { code: '520000', name: null })).toBe(contract);
    expect(withSpatialName(catalogueEntry({}), { code: '520000', name: '贵州省' }).spatial).toBeNull();
  });
});
