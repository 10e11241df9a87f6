/**
 * The csv-spectrum corpus (node_modules/csv-spectrum: csvs/*.csv with their expected json/*.json)
 * through transformFile: each case with a contract of string fields named after its headers must
 * publish exactly its expected values, each row with the line it starts on.
 *
 * Empty vs missing: the engine publishes an empty value ('' in CSV, quoted or not) as NULL, a
 * missing value; so an expected "" is compared as null.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contract, expectAccounted, ingest, plainRows } from './helpers.ts';

const SPECTRUM = dirname(createRequire(import.meta.url).resolve('csv-spectrum/package.json'));

/** The line each expected record starts on (header = line 1), counted by hand from the files. */
const LINES: Record<string, number[]> = {
  comma_in_quotes: [2],
  empty: [2, 3],
  empty_crlf: [2, 3],
  escaped_quotes: [2, 3],
  json: [2],
  location_coordinates: [2],
  newlines: [2, 3, 5],
  newlines_crlf: [2, 3, 5],
  quotes_and_newlines: [2, 5],
  simple: [2],
  simple_crlf: [2],
  utf8: [2, 3],
};

/** Corrections to the corpus's own expected files, each an upstream defect. */
function expectedRecords(name: string): Record<string, string>[] {
  const json: unknown = JSON.parse(readFileSync(join(SPECTRUM, 'json', `${name}.json`), 'utf8'));
  // location_coordinates.json holds one object, not an array of one (max-mapper/csv-spectrum#22).
  const records = (Array.isArray(json) ? json : [json]) as Record<string, string>[];
  if (name === 'location_coordinates') {
    // Its expected phone number is not the one in the CSV (max-mapper/csv-spectrum#20).
    expect(records[0]['Contact Phone Number']).toBe('1234567890');
    records[0]['Contact Phone Number'] = '2095257564';
  }
  return records;
}

/** A field name for a header: Contact Phone Number -> contact_phone_number. */
const fieldName = (header: string) => header.toLowerCase().replace(/[^a-z0-9]+/g, '_');

const cases = readdirSync(join(SPECTRUM, 'csvs'))
  .filter((f) => f.endsWith('.csv'))
  .map((f) => f.slice(0, -4))
  .sort();

describe('csv-spectrum', () => {
  it('has exactly the cases this test knows the lines of', () => {
    expect(cases).toEqual(Object.keys(LINES).sort());
  });

  it.each(cases)('%s', async (name) => {
    const expected = expectedRecords(name);
    const headers = Object.keys(expected[0]);
    const c = contract({
      name: name.replace(/[^a-z0-9_]/g, '_'),
      fields: headers.map((h) => ({ name: fieldName(h), headers: [h] })),
    });
    const o = await ingest(join(SPECTRUM, 'csvs', `${name}.csv`), c);
    expectAccounted(o.report);
    expect(o.report.errors).toEqual([]);
    expect(o.report.status).toBe('accepted');
    expect(o.report.columns.missing).toEqual([]);
    expect(o.report.columns.extra).toEqual([]);
    expect(o.report.source.encoding).toBe('utf-8');

    const want = expected.map((r, i) => ({
      ...Object.fromEntries(headers.map((h) => [fieldName(h), r[h] === '' ? null : r[h]])),
      _source_line: LINES[name][i],
    }));
    expect(plainRows(o.curated, o.curatedTypes)).toEqual(want);
  });
});
