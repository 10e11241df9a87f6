/**
 * Every mode of the benchmark runs on a small generated file and writes the same number of rows, so a
 * baseline the engine's SQL has outgrown (a macro it now names, a column it renamed) fails here, not
 * only in `npm run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCsv } from '../../bench/generate.ts';
import { MODES, runOne } from '../../bench/run-one.ts';

const ROWS = 3_000;
const dir = mkdtempSync(join(tmpdir(), 'bench-run-one-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the benchmark runs', () => {
  it('runs the engine and both baselines on the same file, each writing every row', async () => {
    const input = await generateCsv(join(dir, 'payments.csv'), ROWS, 11);
    const rows: Record<string, number> = {};
    for (const mode of MODES) {
      const r = await runOne({ mode, input: input.path, outDir: join(dir, mode), threads: 1 });
      expect(r.ok ? null : r, mode).toBeNull();
      if (r.ok) rows[mode] = r.rowsOut;
    }
    expect(rows).toEqual({ engine: ROWS, 'duckdb-copy': ROWS, 'duckdb-copy-plain': ROWS });
  });
});
