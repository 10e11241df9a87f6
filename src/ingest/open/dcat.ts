/**
 * The open-data catalogue as DCAT-AP 3 in JSON-LD (`open/catalog.jsonld`), rendered from the zone's index.
 * The @context is inline, so the document expands without fetching anything.
 *
 *   dcat:Catalog       dct:title, dct:description, dct:publisher, dct:modified, dcat:dataset
 *   dcat:Dataset       dct:title, dct:description, dct:identifier, dct:publisher (foaf:Agent, the
 *                      department), dcat:contactPoint (vcard:Organization), dcat:keyword (tagged zh or en),
 *                      dcat:theme and dct:accrualPeriodicity (EU authority tables), dct:spatial
 *                      (dct:Location of a division code), dct:temporal (dct:PeriodOfTime), dct:modified
 *   dcat:Distribution  one per file: dcat:accessURL and dcat:downloadURL, dct:format (EU file types),
 *                      dcat:mediaType (IANA), dcat:byteSize, spdx:checksum (SHA-256), dct:license
 *
 * Agents and places get IRIs in the catalogue's own document (`<base>catalog.jsonld#department-<id>`,
 * `…#division-<code>`): the statistics division codes (统计用区划代码) have no published IRIs, a stable IRI
 * lets a harvester merge entries from several uploads, and an IRI under the catalogue's URL resolves to the
 * document that describes it (an unregistered `urn:` namespace would resolve nowhere). The approach follows the DCAT-AP profile used by CKAN's DCAT
 * extension (ckanext-dcat), written for this lake's own model.
 */
import { UPDATE_FREQUENCIES } from '../../contracts/catalogue-schema.ts';
import type { OpenFileKind } from './build-open.ts';
import { indexDatasets, type OpenDatasetEntry, type OpenFileEntry, type OpenIndex } from './open-index.ts';

export const EU_AUTHORITY = 'http://publications.europa.eu/resource/authority/';
/** The fragment of an agent's (department's) IRI in the catalogue document, before its id. */
export const DEPARTMENT_FRAGMENT = '#department-';
/** The fragment of a place's (division code's) IRI in the catalogue document, before its code. */
export const DIVISION_FRAGMENT = '#division-';

/** The catalogue document's IRI, which agents' and places' IRIs are fragments of. */
export const catalogIri = (baseUrl: string) => `${baseUrl}catalog.jsonld`;
const SPDX_LICENSES = 'https://spdx.org/licenses/';
const IANA_MEDIA_TYPES = 'https://www.iana.org/assignments/media-types/';

export const DCAT_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  spdx: 'http://spdx.org/rdf/terms#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

/** What each kind of open file is, in the catalogue. */
export const FILE_FORMATS: Readonly<
  Record<OpenFileKind, { format: string; mediaType: string; title: string }>
> = {
  csv: { format: 'CSV', mediaType: 'text/csv', title: 'CSV (UTF-8, Excel)' },
  parquet: { format: 'PARQUET', mediaType: 'application/vnd.apache.parquet', title: 'Parquet' },
  'dictionary-json': {
    format: 'JSON',
    mediaType: 'application/json',
    title: '数据字典 data dictionary (JSON)',
  },
  'dictionary-csv': { format: 'CSV', mediaType: 'text/csv', title: '数据字典 data dictionary (CSV)' },
};

/** The catalogue's own description (what the province calls its open-data catalogue). */
export interface CatalogInfo {
  title: string;
  description: string;
  publisher: { id: string; name: string };
}

export const DEFAULT_CATALOG_INFO: CatalogInfo = {
  title: '公共数据开放目录 Open data catalogue',
  description:
    'Datasets the departments open unconditionally (无条件开放), published by the public data lake after each upload.',
  publisher: { id: 'platform', name: '公共数据平台 Public data platform' },
};

type Node = Record<string, unknown>;

const CJK = /[\u3400-\u9fff]/;
/** A literal tagged with its language: zh when it holds Chinese characters, else en. */
function text(value: string): Node {
  return { '@value': value, '@language': CJK.test(value) ? 'zh' : 'en' };
}
const typed = (value: string, type: string): Node => ({ '@value': value, '@type': type });
const ref = (iri: string): Node => ({ '@id': iri });

/** The IRI of a licence: an SPDX identifier's page, or the URL as given. */
export function licenseIri(license: string): string {
  return /^https?:\/\//.test(license) ? license : `${SPDX_LICENSES}${license}`;
}

function agent(a: { id: string; name: string }, baseUrl: string): Node {
  return {
    '@id': `${catalogIri(baseUrl)}${DEPARTMENT_FRAGMENT}${a.id}`,
    '@type': 'foaf:Agent',
    'foaf:name': text(a.name),
  };
}

function distribution(d: OpenDatasetEntry, f: OpenFileEntry): Node {
  const kind = FILE_FORMATS[f.kind];
  return {
    '@id': f.url,
    '@type': 'dcat:Distribution',
    'dct:title': text(kind.title),
    'dcat:accessURL': ref(f.url),
    'dcat:downloadURL': ref(f.url),
    'dct:format': ref(`${EU_AUTHORITY}file-type/${kind.format}`),
    'dcat:mediaType': ref(`${IANA_MEDIA_TYPES}${kind.mediaType}`),
    'dcat:byteSize': typed(String(f.bytes), 'xsd:nonNegativeInteger'),
    'spdx:checksum': {
      '@type': 'spdx:Checksum',
      'spdx:algorithm': ref('spdx:checksumAlgorithm_sha256'),
      'spdx:checksumValue': typed(f.sha256, 'xsd:hexBinary'),
    },
    'dct:modified': typed(d.modified, 'xsd:dateTime'),
    ...(d.license ? { 'dct:license': { '@id': licenseIri(d.license), '@type': 'dct:LicenseDocument' } } : {}),
  };
}

export function dcatDataset(d: OpenDatasetEntry, baseUrl: string): Node {
  const contact = d.contactPoint;
  return {
    '@id': `${baseUrl}${d.department}/${d.dataset}/`,
    '@type': 'dcat:Dataset',
    'dct:identifier': d.id,
    'dct:title': text(d.title),
    'dct:description': text(d.description ?? d.title),
    'dct:publisher': agent(d.publisher, baseUrl),
    'dct:modified': typed(d.modified, 'xsd:dateTime'),
    'dcat:keyword': d.keywords.map(text),
    'dcat:theme': d.theme.map((t) => ref(`${EU_AUTHORITY}data-theme/${t}`)),
    ...(d.updateFrequency
      ? { 'dct:accrualPeriodicity': ref(`${EU_AUTHORITY}frequency/${UPDATE_FREQUENCIES[d.updateFrequency]}`) }
      : {}),
    ...(d.spatial
      ? {
          'dct:spatial': {
            '@id': `${catalogIri(baseUrl)}${DIVISION_FRAGMENT}${d.spatial.code}`,
            '@type': 'dct:Location',
            'skos:notation': d.spatial.code,
            ...(d.spatial.name ? { 'skos:prefLabel': text(d.spatial.name) } : {}),
          },
        }
      : {}),
    ...(d.temporal
      ? {
          'dct:temporal': {
            '@type': 'dct:PeriodOfTime',
            'dcat:startDate': typed(d.temporal.start, 'xsd:date'),
            ...(d.temporal.end ? { 'dcat:endDate': typed(d.temporal.end, 'xsd:date') } : {}),
          },
        }
      : {}),
    ...(contact
      ? {
          'dcat:contactPoint': {
            '@type': 'vcard:Organization',
            'vcard:fn': text(contact.name),
            ...(contact.email ? { 'vcard:hasEmail': ref(`mailto:${contact.email}`) } : {}),
            ...(contact.telephone
              ? { 'vcard:hasTelephone': ref(`tel:${contact.telephone.replace(/[^0-9+]/g, '')}`) }
              : {}),
          },
        }
      : {}),
    'dcat:distribution': d.files.map((f) => distribution(d, f)),
  };
}

/** The whole catalogue document. */
export function dcatCatalog(index: OpenIndex, info: CatalogInfo = DEFAULT_CATALOG_INFO): Node {
  return {
    '@context': DCAT_CONTEXT,
    '@id': catalogIri(index.baseUrl),
    '@type': 'dcat:Catalog',
    'dct:title': text(info.title),
    'dct:description': text(info.description),
    'dct:publisher': agent(info.publisher, index.baseUrl),
    'dct:modified': typed(index.updated, 'xsd:dateTime'),
    'dcat:dataset': indexDatasets(index).map((d) => dcatDataset(d, index.baseUrl)),
  };
}
