/**
 * A contract's catalogue metadata as `lake.*` parameters of its Glue table, so that the deployed catalog
 * (src/cli/aws/glue-catalog.ts) shows it from Glue alone, as the local lake shows it from the contract.
 * Plain values where one string says it (the sharing type, so `lake.sharing = conditional` can be
 * filtered on); JSON for lists and objects. catalogueFromParameters() gives back catalogueEntry()'s shape.
 */
import {
  ACCESS_TYPES,
  type AccessType,
  UPDATE_FREQUENCIES,
  type UpdateFrequency,
} from '../contracts/catalogue-schema.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import { type AccessEntry, type CatalogueEntry, catalogueEntry, themeEntry } from './catalogue.ts';

/** The table parameters of the catalogue metadata. */
export const CATALOGUE_PARAMETERS = {
  sharing: 'lake.sharing',
  sharingConditions: 'lake.sharing_conditions',
  sharingBasis: 'lake.sharing_basis',
  opening: 'lake.opening',
  openingConditions: 'lake.opening_conditions',
  openingBasis: 'lake.opening_basis',
  updateFrequency: 'lake.update_frequency',
  license: 'lake.license',
  /** JSON array of strings. */
  keywords: 'lake.keywords',
  /** Theme codes, comma-separated (e.g. `REGI,GOVE`). */
  theme: 'lake.theme',
  spatial: 'lake.spatial',
  /** JSON: `{"start":…,"end":…}` or `{"field":…}`. */
  temporal: 'lake.temporal',
  /** JSON: `{"name":…,"email":…,"telephone":…}`. */
  contactPoint: 'lake.contact_point',
} as const;

const P = CATALOGUE_PARAMETERS;

/** The catalogue parameters of a contract (keys without a value are left out). */
export function catalogueParameters(contract: DatasetContract): Record<string, string> {
  const e = catalogueEntry(contract);
  const out: Record<string, string | null> = {
    [P.sharing]: e.sharing.type,
    [P.sharingConditions]: e.sharing.conditions,
    [P.sharingBasis]: e.sharing.basis,
    [P.opening]: e.opening?.type ?? null,
    [P.openingConditions]: e.opening?.conditions ?? null,
    [P.openingBasis]: e.opening?.basis ?? null,
    [P.updateFrequency]: e.updateFrequency,
    [P.license]: e.license,
    [P.keywords]: e.keywords.length ? JSON.stringify(e.keywords) : null,
    [P.theme]: e.theme.length ? e.theme.map((t) => t.code).join(',') : null,
    [P.spatial]: e.spatial?.code ?? null,
    [P.temporal]: e.temporal ? JSON.stringify(e.temporal) : null,
    [P.contactPoint]: e.contactPoint ? JSON.stringify(e.contactPoint) : null,
  };
  return Object.fromEntries(Object.entries(out).filter((kv): kv is [string, string] => kv[1] !== null));
}

function json<T>(text: string | undefined, valid: (v: unknown) => v is T): T | null {
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    return valid(v) ? v : null;
  } catch {
    return null;
  }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function accessOf(p: Readonly<Record<string, string>>, type: string, conditions: string, basis: string) {
  const t = p[type];
  if (!ACCESS_TYPES.includes(t as AccessType)) return null;
  return { type: t as AccessType, conditions: p[conditions] ?? null, basis: p[basis] ?? null } as AccessEntry;
}

/**
 * The catalogue entry a table's parameters hold. A table written before the lake kept them reads as a
 * contract without catalogue keys (shared unconditionally, not opened); malformed values read as absent.
 */
export function catalogueFromParameters(
  parameters: Readonly<Record<string, string>> | undefined,
): CatalogueEntry {
  const p = parameters ?? {};
  const frequency = p[P.updateFrequency];
  const temporal = json(p[P.temporal], isObject);
  const contact = json(p[P.contactPoint], isObject);
  return {
    sharing: accessOf(p, P.sharing, P.sharingConditions, P.sharingBasis) ?? {
      type: 'unconditional',
      conditions: null,
      basis: null,
    },
    opening: accessOf(p, P.opening, P.openingConditions, P.openingBasis),
    updateFrequency: frequency && frequency in UPDATE_FREQUENCIES ? (frequency as UpdateFrequency) : null,
    license: p[P.license] ?? null,
    keywords: json(p[P.keywords], isStrings) ?? [],
    theme: (p[P.theme] ?? '').split(',').filter(Boolean).map(themeEntry),
    spatial: p[P.spatial] ? { code: p[P.spatial], name: null } : null,
    temporal: temporal
      ? typeof temporal.field === 'string'
        ? { field: temporal.field }
        : typeof temporal.start === 'string'
          ? { start: temporal.start, end: str(temporal.end) }
          : null
      : null,
    contactPoint:
      contact && typeof contact.name === 'string'
        ? { name: contact.name, email: str(contact.email), telephone: str(contact.telephone) }
        : null,
  };
}
