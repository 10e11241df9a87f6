/**
 * `lake catalog --search`: every text of the catalog (names, titles, descriptions, owners, columns,
 * original headers), in Chinese, English and pinyin initials, ranked; through the CLI on a local lake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../../src/cli/backend.ts';
import { searchDatasets, searchTexts } from '../../src/cli/catalog-search.ts';
import { parseContract } from '../../src/contracts/index.ts';
import { catalogueEntry } from '../../src/lake/catalogue.ts';
import { catalogueFromParameters, catalogueParameters } from '../../src/lake/catalogue-parameters.ts';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
});
afterAll(async () => {
  await remove();
});

interface Hit {
  dataset: string;
  score: number;
  matches: { where: string; text: string }[];
}

async function search(text: string): Promise<Hit[]> {
  const r = await lake(['catalog', '--search', text, '--json', '--lake-dir', dir]);
  expect(r.code).toBe(0);
  return r.json<{ datasets: Hit[] }>().datasets;
}

describe('lake catalog --search', () => {
  it.each([
    ['学校', 'education/schools', 'column school_name header'],
    ['低保', 'civil_affairs/assistance_payments', 'description'],
    ['床位', 'health/clinics', 'column beds header'],
    ['beds', 'health/clinics', 'column beds'],
    ['BEDS', 'health/clinics', 'column beds'],
    ['医疗机构', 'health/clinics', 'column clinic_id header'],
    ['xxmc', 'education/schools', 'column school_name header'],
    ['xuexiao', 'education/schools', 'column school_id title'],
    ['民政厅', 'civil_affairs/assistance_payments', 'owner'],
  ])('%s finds %s (%s)', async (text, dataset, where) => {
    const hits = await search(text);
    expect(hits.map((h) => h.dataset)).toEqual([dataset]);
    expect(hits[0].matches.map((m) => m.where)).toContain(where);
  });

  it('ranks a match in the name or title above one in a description, and needs every term', async () => {
    const hits = await search('province');
    expect(hits.length).toBeGreaterThan(1);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(await search('health 床位')).toHaveLength(1);
    expect(await search('schools 床位')).toEqual([]);
  });

  it('prints the datasets found, with what matched, or says nothing matched', async () => {
    const found = await lake(['catalog', '--search', '学校', '--lake-dir', dir]);
    expect(found.stdout).toMatch(
      /^education\.schools +Schools and kindergartens +keyword: 学校; column school_id title: 学校标识码/m,
    );
    expect(found.stdout).not.toContain('health.clinics');
    const none = await lake(['catalog', '--search', '火箭', '--lake-dir', dir]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no dataset matches "火箭"\n');
  });
});

describe('searchDatasets', () => {
  const contract = parseContract(
    [
      'name: pharmacies',
      'department: health',
      'title: 零售药店',
      'description: Licensed retail pharmacies.',
      'keywords: [药品零售, pharmacy]',
      'theme: [HEAL]',
      'fields:',
      '  - name: licence_no',
      '    title: 许可证编号',
      '  - name: holder_id',
      '    headers: [法人身份证号]',
      '    pii: cn_resident_id',
      '    protect: drop',
    ].join('\n'),
    'pharmacies.yaml',
  );
  const info: DatasetInfo = {
    dataset: 'health/pharmacies',
    department: 'health',
    name: 'pharmacies',
    title: contract.title,
    owner: 'Health',
    classification: 'internal',
    mode: 'replace',
    rows: null,
    lastIngested: null,
    catalogue: catalogueEntry(contract),
  };
  const find = (q: string) => searchDatasets(q, [info], () => contract).map((h) => h.matches[0]?.where);

  it('matches full-width letters and pinyin initials of titles', () => {
    expect(find('ＲＥＴＡＩＬ')).toEqual(['description']);
    expect(find('lsyd')).toEqual(['title']);
    expect(find('xkz')).toEqual(['column licence_no title']);
  });

  it('leaves out the columns that are not published (dropped)', () => {
    expect(find('身份证')).toEqual([]);
    expect(find('holder')).toEqual([]);
  });

  it('finds nothing for an empty query', () => {
    expect(find('  ')).toEqual([]);
  });

  it('matches keywords and theme names, in Chinese and English', () => {
    expect(find('药品零售')).toEqual(['keyword']);
    expect(find('pharmacy')).toEqual(['keyword']);
    expect(find('卫生健康')).toEqual(['theme HEAL']);
    expect(
      searchTexts(info, contract)
        .filter((t) => t.where === 'theme HEAL')
        .map((t) => t.text),
    ).toEqual(['卫生健康', 'Health']);
  });

  it('matches them on a deployed lake too, from the Glue table parameters alone', () => {
    const deployed = { ...info, catalogue: catalogueFromParameters(catalogueParameters(contract)) };
    const hits = (q: string) =>
      searchDatasets(q, [deployed], () => undefined).map((h) => h.matches[0]?.where);
    expect(hits('ypls')).toEqual(['keyword']);
    expect(hits('卫生健康')).toEqual(['theme HEAL']);
    expect(hits('许可证')).toEqual([]);
  });
});
