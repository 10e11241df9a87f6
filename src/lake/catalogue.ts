/**
 * A dataset's catalogue metadata as every reader shows it (`lake catalog`, its `--json`, the AWS catalog
 * read from Glue, the portal): the contract's catalogue keys (src/contracts/catalogue-schema.ts) with their
 * defaults applied and their codes named. One shape, whichever lake it is read from.
 *
 * - sharing: always set (an absent `sharing` is unconditional);
 * - opening: null when the contract declares none (the dataset is not opened);
 * - theme: each EU data-theme code with its English and Chinese name;
 * - spatial: the division code, and its name where the lake knows it (null here: the local lake looks it
 *   up in the published statistics divisions, divisionCodeForms(); the deployed one reads the open-data
 *   index, src/cli/aws/open-facts.ts; withSpatialName() carries it over);
 * - temporal: fixed { start, end } or { field } (the range is the published table's, computed by the lake).
 */

import { DEFAULT_SHARING } from '../contracts/catalogue-defaults.ts';
import type {
  AccessType,
  CatalogueMetadata,
  THEMES,
  UpdateFrequency,
} from '../contracts/catalogue-schema.ts';

export type ThemeCode = (typeof THEMES)[number];

/** The EU data-theme authority's labels, in English and in Chinese. */
export const THEME_NAMES: Record<ThemeCode, { en: string; zh: string }> = {
  AGRI: { en: 'Agriculture, fisheries, forestry and food', zh: '农业、渔业、林业和食品' },
  ECON: { en: 'Economy and finance', zh: '经济和金融' },
  EDUC: { en: 'Education, culture and sport', zh: '教育、文化和体育' },
  ENER: { en: 'Energy', zh: '能源' },
  ENVI: { en: 'Environment', zh: '环境' },
  GOVE: { en: 'Government and public sector', zh: '政府和公共部门' },
  HEAL: { en: 'Health', zh: '卫生健康' },
  INTR: { en: 'International issues', zh: '国际事务' },
  JUST: { en: 'Justice, legal system and public safety', zh: '司法、法律制度和公共安全' },
  REGI: { en: 'Regions and cities', zh: '地区和城市' },
  SOCI: { en: 'Population and society', zh: '人口和社会' },
  TECH: { en: 'Science and technology', zh: '科学和技术' },
  TRAN: { en: 'Transport', zh: '交通运输' },
};

/** The access types in Chinese, as the province's regulation names them (sharing 共享, opening 开放). */
export const ACCESS_TYPE_NAMES: Record<'sharing' | 'opening', Record<AccessType, string>> = {
  sharing: { unconditional: '无条件共享', conditional: '有条件共享', none: '不予共享' },
  opening: { unconditional: '无条件开放', conditional: '有条件开放', none: '不予开放' },
};

export interface AccessEntry {
  type: AccessType;
  conditions: string | null;
  basis: string | null;
}

export interface CatalogueEntry {
  sharing: AccessEntry;
  /** null: the contract declares no opening, so the dataset is not opened. */
  opening: AccessEntry | null;
  updateFrequency: UpdateFrequency | null;
  license: string | null;
  keywords: string[];
  theme: { code: ThemeCode; name: string; nameZh: string }[];
  /** The area covered: a division code, and its name where known. */
  spatial: { code: string; name: string | null } | null;
  /** Fixed period, or the date field whose range the lake computes. */
  temporal: { start: string; end: string | null } | { field: string } | null;
  contactPoint: { name: string; email: string | null; telephone: string | null } | null;
}

function access(a: { type: AccessType; conditions?: string; basis?: string }): AccessEntry {
  return { type: a.type, conditions: a.conditions ?? null, basis: a.basis ?? null };
}

/** A theme code with its names (an unknown code, from an older stack, keeps the code as its name). */
export function themeEntry(code: string): CatalogueEntry['theme'][number] {
  const names = THEME_NAMES[code as ThemeCode];
  return { code: code as ThemeCode, name: names?.en ?? code, nameZh: names?.zh ?? code };
}

/** The catalogue entry of a contract's catalogue keys, defaults applied. */
export function catalogueEntry(m: CatalogueMetadata): CatalogueEntry {
  const t = m.temporal;
  const c = m.contactPoint;
  return {
    sharing: access(m.sharing ?? DEFAULT_SHARING),
    opening: m.opening ? access(m.opening) : null,
    updateFrequency: m.updateFrequency ?? null,
    license: m.license ?? null,
    keywords: m.keywords ?? [],
    theme: (m.theme ?? []).map(themeEntry),
    spatial: m.spatial ? { code: m.spatial, name: null } : null,
    temporal: t ? ('field' in t ? { field: t.field } : { start: t.start, end: t.end ?? null }) : null,
    contactPoint: c ? { name: c.name, email: c.email ?? null, telephone: c.telephone ?? null } : null,
  };
}

/**
 * `entry` with the area's name that `known` gives (a reader that looked it up: the local divisions table,
 * the open-data index), when both are about the same division code; else `entry` as it is.
 */
export function withSpatialName(
  entry: CatalogueEntry,
  known: CatalogueEntry['spatial'] | undefined,
): CatalogueEntry {
  if (!entry.spatial || entry.spatial.name || !known?.name || known.code !== entry.spatial.code) return entry;
  return { ...entry, spatial: { code: entry.spatial.code, name: known.name } };
}

/**
 * The spellings a division code may have in a table of divisions: as written (520100), and without the
 * trailing zero pairs of the levels below it (5201), as the statistics bureau's short codes are.
 */
export function divisionCodeForms(code: string): string[] {
  const short = code.replace(/(00)+$/, '');
  return short && short !== code ? [code, short] : [code];
}

/** "unconditional" … as the list shows it: the type, and its Chinese name. */
export function accessLabel(kind: 'sharing' | 'opening', entry: AccessEntry | null): string {
  const type = entry?.type ?? 'none';
  return `${type} ${ACCESS_TYPE_NAMES[kind][type]}`;
}
