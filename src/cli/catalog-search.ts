/**
 * `lake catalog --search`: every text the catalog holds about a dataset (its name, title, description,
 * keywords, theme names in Chinese and English, owning department, and each published column's name,
 * title, description and original headers), searched for Chinese or English substrings and for pinyin (initials `xx` or whole syllables
 * `xuexiao` for 学校), then ranked: where a text matches (a name or title above a description), how
 * much of the query it matches, and how many texts do.
 *
 * A Chinese term that no text holds whole still finds the texts holding two of its characters in a row
 * (`医疗机构` finds the `机构名称` header), ranked below every whole match.
 */
import { pinyin } from 'pinyin-pro';
import type { DatasetContract } from '../contracts/schema.ts';
import { catalogueEntry } from '../lake/catalogue.ts';
import { datasetModel } from '../lake/dataset-model.ts';
import type { DatasetInfo } from './backend.ts';

/** One text of a dataset, and where it comes from (a `--json` hit names it). */
export interface SearchText {
  /** e.g. `title`, `description`, `column school_name header`. */
  where: string;
  text: string;
  weight: number;
}

export interface SearchHit<T extends DatasetInfo = DatasetInfo> {
  dataset: T;
  score: number;
  /** The texts that matched, best first: `{ where, text }`. */
  matches: { where: string; text: string }[];
}

/** How much a match in each kind of text counts. */
const WEIGHT = {
  name: 10,
  title: 8,
  keyword: 6,
  theme: 3,
  columnName: 4,
  columnTitle: 4,
  header: 4,
  owner: 3,
  description: 2,
  columnDescription: 2,
} as const;

/** A whole match of the term counts this much more than a match of its character pairs. */
const PARTIAL_FACTOR = 0.25;

const HAN = /\p{Script=Han}/u;
const HAN_RUN = /\p{Script=Han}+/gu;

/** Text folded for matching: full-width forms to ASCII (NFKC), lowercase, spaces and underscores as one. */
export function fold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .trim();
}

/** The texts of a dataset: from its contract when there is one, else what the catalog listed. */
export function searchTexts(info: DatasetInfo, contract?: DatasetContract): SearchText[] {
  const texts: SearchText[] = [
    { where: 'name', text: info.dataset, weight: WEIGHT.name },
    { where: 'title', text: info.title, weight: WEIGHT.title },
    { where: 'owner', text: info.owner, weight: WEIGHT.owner },
  ];
  // The catalogue metadata: from the contract, else as the catalog listed it (a deployed lake's Glue table).
  const catalogue = contract ? catalogueEntry(contract) : info.catalogue;
  for (const k of catalogue?.keywords ?? [])
    texts.push({ where: 'keyword', text: k, weight: WEIGHT.keyword });
  for (const t of catalogue?.theme ?? []) {
    texts.push({ where: `theme ${t.code}`, text: t.nameZh, weight: WEIGHT.theme });
    texts.push({ where: `theme ${t.code}`, text: t.name, weight: WEIGHT.theme });
  }
  if (!contract) return texts;
  if (contract.description)
    texts.push({ where: 'description', text: contract.description, weight: WEIGHT.description });
  for (const f of datasetModel(contract).fields) {
    if (!f.column) continue;
    const col = (what: string) => `column ${f.field.name}${what ? ` ${what}` : ''}`;
    texts.push({ where: col(''), text: f.field.name, weight: WEIGHT.columnName });
    if (f.field.title) texts.push({ where: col('title'), text: f.field.title, weight: WEIGHT.columnTitle });
    if (f.field.description)
      texts.push({
        where: col('description'),
        text: f.field.description,
        weight: WEIGHT.columnDescription,
      });
    for (const h of f.field.headers ?? [])
      texts.push({ where: col('header'), text: h, weight: WEIGHT.header });
  }
  return texts;
}

interface Indexed extends SearchText {
  folded: string;
  /** Initials of each run of Chinese characters (学校名称 → xxmc), and the syllables (xuexiaomingcheng). */
  initials: string[];
  syllables: string[];
}

function indexText(t: SearchText): Indexed {
  const folded = fold(t.text);
  const runs = folded.match(HAN_RUN) ?? [];
  const spell = (run: string, pattern: 'first' | 'pinyin') =>
    pinyin(run, { pattern, toneType: 'none', type: 'array' }).join('').toLowerCase();
  return {
    ...t,
    folded,
    initials: runs.map((r) => spell(r, 'first')),
    syllables: runs.map((r) => spell(r, 'pinyin').replace(/ü/g, 'v')),
  };
}

/** How well one term matches one text: 1 whole, less for pinyin or a part, 0 not at all. */
function termScore(term: string, t: Indexed): number {
  if (t.folded.includes(term)) return t.folded === term ? 1.5 : 1;
  if (/^[a-z]{2,}$/.test(term)) {
    if (t.initials.some((i) => i.includes(term))) return 0.8;
    if (term.length >= 4 && t.syllables.some((s) => s.includes(term))) return 0.8;
  }
  if (HAN.test(term) && [...term].length >= 3) {
    const chars = [...term];
    const pairs = chars.slice(1).map((c, i) => chars[i] + c);
    const found = pairs.filter((p) => t.folded.includes(p)).length;
    if (found > 0) return (PARTIAL_FACTOR * found) / pairs.length;
  }
  return 0;
}

/**
 * The datasets that match every term of `query` (terms are separated by spaces), best first. Each
 * term scores by the best text it matches; a dataset scores the sum over its terms plus a little for
 * every further text that matches.
 */
export function searchDatasets<T extends DatasetInfo>(
  query: string,
  datasets: readonly T[],
  contractOf: (d: T) => DatasetContract | undefined,
): SearchHit<T>[] {
  const terms = fold(query).split(' ').filter(Boolean);
  if (terms.length === 0) return [];
  const hits: SearchHit<T>[] = [];
  for (const dataset of datasets) {
    const texts = searchTexts(dataset, contractOf(dataset)).map(indexText);
    let score = 0;
    const matched = new Map<Indexed, number>();
    for (const term of terms) {
      let best = 0;
      for (const t of texts) {
        const s = termScore(term, t) * t.weight;
        if (s > 0) matched.set(t, Math.max(matched.get(t) ?? 0, s));
        best = Math.max(best, s);
      }
      if (best === 0) {
        score = 0;
        break;
      }
      score += best;
    }
    if (score === 0) continue;
    // Best first; a text found twice (a column's title that is also its header) counts once.
    const seen = new Set<string>();
    const ordered = [...matched]
      .sort((a, b) => b[1] - a[1])
      .filter(([t]) => !seen.has(t.text) && seen.add(t.text));
    // Each further matching text adds a tenth of its worth: more evidence, never more than a better field.
    score += ordered.slice(1).reduce((sum, [, s]) => sum + s / 10, 0);
    hits.push({
      dataset,
      score: Math.round(score * 100) / 100,
      matches: ordered.map(([t]) => ({ where: t.where, text: excerpt(t, terms) })),
    });
  }
  return hits.sort((a, b) => b.score - a.score || a.dataset.dataset.localeCompare(b.dataset.dataset));
}

/** Long texts (descriptions) cut to the words around the first term they hold. */
function excerpt(t: Indexed, terms: readonly string[]): string {
  const max = 48;
  if ([...t.text].length <= max) return t.text;
  const at = Math.max(
    0,
    ...terms
      .map((term) => t.folded.indexOf(term))
      .filter((i) => i >= 0)
      .slice(0, 1),
  );
  const start = Math.max(0, at - 12);
  const chars = [...t.folded.slice(start)];
  return `${start > 0 ? '…' : ''}${chars.slice(0, max).join('')}${chars.length > max ? '…' : ''}`;
}
