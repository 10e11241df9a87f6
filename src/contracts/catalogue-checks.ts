/**
 * What the catalogue keys of a valid contract must agree with in the rest of it. Above all: a dataset
 * opened unconditionally is published to anyone, so it may publish no personal-data column (a masked or
 * hashed one counts: pseudonymised data is still personal) and no column classified above public.
 *
 * Run by the loader after the contract's shape is valid, so each problem names the key it is about.
 */
import { fieldProtection } from './protection.ts';
import type { DatasetContract } from './schema.ts';

export interface CatalogueIssue {
  /** The contract key the problem is about, as a path (e.g. ['fields', 3, 'pii']). */
  path: (string | number)[];
  message: string;
}

const TEMPORAL_TYPES = ['date', 'datetime'];

export function catalogueIssues(contract: DatasetContract): CatalogueIssue[] {
  const issues: CatalogueIssue[] = [];
  const { opening, sharing, temporal } = contract;
  if (opening?.type === 'unconditional') {
    if (sharing && sharing.type !== 'unconditional') {
      issues.push({
        path: ['opening', 'type'],
        message: `opening: unconditional publishes the data to anyone, but sharing is ${sharing.type} between departments: open it conditionally, or share it unconditionally`,
      });
    }
    contract.fields.forEach((f, i) => {
      const protection = fieldProtection(f);
      if (protection && protection.action !== 'drop') {
        issues.push({
          path: ['fields', i, f.pii ? 'pii' : 'protect'],
          message: `opening: unconditional publishes every column to anyone, and "${f.name}" is personal data (${protection.pii}, ${protection.action}; masked or hashed data is still personal): set protect: drop on it, or choose opening: conditional or none`,
        });
        return;
      }
      const classification = f.classification ?? contract.classification;
      if (classification !== 'public' && protection?.action !== 'drop') {
        issues.push({
          path: f.classification ? ['fields', i, 'classification'] : ['classification'],
          message: `opening: unconditional publishes every column to anyone, and "${f.name}" is classified ${classification}: classify it public, or choose opening: conditional or none`,
        });
      }
    });
  }
  if (opening && opening.type !== 'none' && !contract.license) {
    issues.push({
      path: ['opening'],
      message: `opening: ${opening.type} needs a license for the opened data: e.g. license: CC-BY-4.0`,
    });
  }
  if (temporal && 'field' in temporal) {
    const field = contract.fields.find((f) => f.name === temporal.field);
    if (!field || !TEMPORAL_TYPES.includes(field.type) || fieldProtection(field)?.action === 'drop') {
      const dates = contract.fields.filter((f) => TEMPORAL_TYPES.includes(f.type)).map((f) => f.name);
      issues.push({
        path: ['temporal', 'field'],
        message: `temporal.field "${temporal.field}" must be a published date or datetime field; ${dates.length ? `the contract's are: ${dates.join(', ')}` : 'the contract has none: give a fixed { start, end } instead'}`,
      });
    }
  }
  return issues;
}
