/** `lake sql`: statements over several lines, `;` inside strings and comments, dot commands, failures. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatementBuffer } from '../../src/cli/sql-statements.ts';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  const r = await lake([
    'ingest',
    'examples/statistics/divisions/divisions-guizhou-2024.csv',
    '--dataset',
    'statistics/divisions',
    '--lake-dir',
    dir,
  ]);
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await remove();
});

const sql = (stdin: string) => lake(['sql', '--lake-dir', dir], { stdin });

describe('StatementBuffer', () => {
  it('ends a statement at a ; outside strings, identifiers and comments', () => {
    const b = new StatementBuffer();
    expect(b.push('SELECT \'a;b\' AS "x;y", -- c;')).toEqual([]);
    expect(b.pending).toBe(true);
    expect(b.push('/* d; */ 1 AS n; SELECT 2;')).toEqual([
      'SELECT \'a;b\' AS "x;y", -- c;\n/* d; */ 1 AS n',
      'SELECT 2',
    ]);
    expect(b.pending).toBe(false);
    expect(b.push("SELECT 'it''s;'")).toEqual([]);
    expect(b.push(';  -- done')).toEqual(["SELECT 'it''s;'"]);
    expect(b.pending).toBe(false);
    b.push('SELECT 3');
    expect(b.rest()).toBe('SELECT 3');
  });
});

describe('lake sql', () => {
  it('runs statements that span lines, each with its rows and time', async () => {
    const r = await sql(
      'SELECT level, count(*) AS n\n  FROM statistics.divisions\n  GROUP BY level ORDER BY level;\nSELECT 1 AS one',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^level +n\n/);
    expect(r.stdout).toMatch(/^省 +1$/m);
    expect(r.stdout).toMatch(/^4 rows in \d+ ms$/m);
    // The last statement needs no ; at the end of the input.
    expect(r.stdout).toMatch(/^one\n─+\n +1\n1 row in \d+ ms\n$/m);
  });

  it('.tables, .schema and \\d describe the tables; .quit ends', async () => {
    const r = await sql(
      '.tables\n.schema statistics.divisions\n\\d health.clinics\n.quit\nSELECT 99 AS never;\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^statistics\.divisions +Administrative divisions of Guizhou +244$/m);
    expect(r.stdout).toMatch(/^code +string/m);
    expect(r.stdout).toMatch(/^beds +bigint/m);
    expect(r.stdout).not.toContain('never');
  });

  it('goes on after a failed statement, and exits 1 when reading from a pipe', async () => {
    const r = await sql('SELEC 1;\n.schema\n.nope\nSELECT 2 AS two;\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lake: the query failed: Parser Error: syntax error at or near "SELEC"');
    expect(r.stderr).toContain('lake: .schema needs a table');
    expect(r.stderr).toContain('lake: unknown command .nope');
    expect(r.stdout).toMatch(/^two\n─+\n +2\n/m);
  });

  it('has no --json', async () => {
    const r = await lake(['sql', '--json', '--lake-dir', dir], { stdin: '' });
    expect(r.code).toBe(2);
    expect(r.error().message).toBe('lake sql is interactive: it has no --json');
  });
});
