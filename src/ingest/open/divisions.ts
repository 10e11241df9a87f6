/**
 * The name of an administrative-division code, for the catalogue's `dct:spatial` label: looked up in the
 * lake's own division table (statistics/divisions, itself opened), so the names come from the bureau that
 * keeps the codes and no list is written into the code. Not found: the catalogue gives the code alone.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDuckDB } from '../../engine/duckdb.ts';
import { ident, lit } from '../../engine/sql.ts';
import type { DatasetRef } from '../../lake/layout.ts';
import { type OpenBuild, openFileKey } from './build-open.ts';
import type { OpenStore } from './open-store.ts';

/** The dataset of division codes and its columns. */
export const DIVISIONS = {
  ref: { department: 'statistics', dataset: 'divisions' },
  code: 'code',
  name: 'name',
} as const;

export async function divisionName(
  store: OpenStore,
  ref: DatasetRef,
  code: string,
  built: OpenBuild,
  work: string,
): Promise<string | null> {
  let path: string | undefined;
  if (ref.department === DIVISIONS.ref.department && ref.dataset === DIVISIONS.ref.dataset) {
    path = built.files.find((f) => f.kind === 'parquet')?.path;
  } else {
    const found = await store.get(openFileKey(DIVISIONS.ref, 'parquet'));
    if (found) {
      path = join(work, 'divisions.parquet');
      await writeFile(path, found.body);
    }
  }
  if (!path) return null;
  const db = await createDuckDB(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const rows = (
      await conn.runAndReadAll(
        `SELECT CAST(${ident(DIVISIONS.name)} AS VARCHAR) FROM read_parquet(${lit(path)}) WHERE CAST(${ident(DIVISIONS.code)} AS VARCHAR) IN (${codeForms(code).map(lit).join(', ')}) LIMIT 1`,
      )
    ).getRows();
    return rows.length > 0 && rows[0][0] !== null ? String(rows[0][0]) : null;
  } catch {
    return null; // a division table of another shape: the code alone
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Lengths of a division code's levels: province, city, county, township, village. */
const LEVEL_LENGTHS = [2, 4, 6, 9, 12];

/**
 * The spellings of one division code: as written, and cut to the level it names (520000 is Guizhou, written
 * 52 in the statistics table; 520100 is Guiyang, 5201).
 */
export function codeForms(code: string): string[] {
  const forms = LEVEL_LENGTHS.filter((n) => n <= code.length)
    .map((n) => code.slice(0, n))
    .filter((p) => p.padEnd(code.length, '0') === code);
  return [...new Set([code, ...forms])];
}
