/**
 * Each command's error paths: the message says what is wrong and what to do, the exit code is not 0, and
 * with --json stdout stays empty while stderr holds one JSON error document.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
/** A project copy whose clinics contract has two mistakes (the other contracts are sound). */
let badProject: string;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  badProject = join(dir, 'project');
  mkdirSync(join(badProject, 'datasets/health'), { recursive: true });
  cpSync(join(ROOT, 'departments.yaml'), join(badProject, 'departments.yaml'));
  cpSync(join(ROOT, 'datasets'), join(badProject, 'datasets'), { recursive: true });
  writeFileSync(
    join(badProject, 'datasets/health/clinics.yaml'),
    [
      'name: clinics',
      'department: health',
      'title: Clinics',
      'mode: replce',
      'fields:',
      '  - name: clinic_id',
      '    typ: string',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'header-only.csv'), 'foo,bar\n1,2\n');
  writeFileSync(join(dir, 'notes.docx'), 'not a table');
});
afterAll(async () => {
  await remove();
});

const local = () => ['--lake-dir', join(dir, 'lake')];
const CLINICS = 'examples/health/clinics/clinics-2026-11.csv';

describe('usage errors (exit 2)', () => {
  it.each([
    [['frobnicate'], /unknown command "frobnicate"/, /lake help/],
    [['query', '--frobnicate'], /unknown option '--frobnicate'/, /lake help/],
    [['validate', '--port', '1', CLINICS], /lake validate does not take --port/, /lake validate --help/],
    [['validate', CLINICS], /--dataset is required/, /--dataset health\/clinics/],
    [
      ['validate', CLINICS, '--dataset', 'Health Clinics'],
      /is not a dataset name/,
      /<department>\/<dataset>/,
    ],
    [['validate', '--dataset', 'health/clinics'], /validate needs a file/, /Usage: lake validate/],
    [
      ['validate', 'no/such/file.csv', '--dataset', 'health/clinics'],
      /no such file: no\/such\/file.csv/,
      /Check the path/,
    ],
    [['query'], /query needs SQL/, /SELECT count/],
    [['status', '--limit', 'ten'], /--limit must be a positive whole number/, /lake help/],
    [['report'], /report needs an upload id/, /lake status/],
    [['contract'], /lake contract needs a command: infer/, /lake contract infer <file>/],
    [['contract', 'guess'], /unknown command "contract guess"/, /lake contract --help/],
  ])('lake %j', async (args, message, hint) => {
    const r = await lake([...args, ...local()]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stdout).toBe('');
    const [first, second] = r.stderr.split('\n');
    expect(first).toMatch(/^lake: /);
    expect(first).toMatch(message);
    expect(second).toMatch(hint);
  });

  it('prints the help without a command, and exits 0 when asked for it', async () => {
    const none = await lake([]);
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toContain('Usage: lake <command> [options]');
    const help = await lake(['--help']);
    expect(help.code).toBe(0);
    for (const c of [
      'demo',
      'up',
      'validate',
      'upload',
      'ingest',
      'status',
      'report',
      'catalog',
      'query',
      'contract infer',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
    const one = await lake(['help', 'contract', 'infer']);
    expect(one.stdout).toContain('Usage: lake contract infer <file> --dataset <department>/<dataset>');
    const flag = await lake(['query', '--help']);
    expect(flag.stdout).toContain('{"columns":[{"name","type"}],"rows":[{...}]}');
  });
});

describe('configuration errors (exit 4)', () => {
  it.each([
    ['validate', [CLINICS, '--dataset', 'health/clinic']],
    ['upload', [CLINICS, '--dataset', 'health/clinic']],
    ['ingest', [CLINICS, '--dataset', 'health/clinic']],
    ['catalog', ['health/clinic']],
  ])('%s: an unknown dataset, with the known ones and the closest', async (command, args) => {
    const r = await lake([command, ...args, ...local()]);
    expect(r.code).toBe(EXIT.config);
    expect(r.stderr).toContain('lake: unknown dataset "health/clinic"; did you mean "health/clinics"?');
    expect(r.stderr).toContain(
      'Known datasets: civil_affairs/assistance_payments, education/schools, health/clinics',
    );
  });

  it.each([
    ['validate', [join(ROOT, CLINICS), '--dataset', 'health/clinics']],
    ['ingest', [join(ROOT, CLINICS), '--dataset', 'health/clinics']],
    ['demo', ['--examples', join(ROOT, 'examples')]],
    ['up', ['--port', '0']],
    ['redrive', []],
  ])('%s: an invalid contract it needs, every problem with its file, line and key', async (command, args) => {
    const r = await lake([command, ...args, ...local()], { cwd: badProject });
    expect(r.code).toBe(EXIT.config);
    expect(r.stderr).toContain('lake: invalid contract: 2 problems in 1 file:');
    expect(r.stderr).toMatch(
      /datasets\/health\/clinics.yaml:4:\d+ mode: must be one of "replace", "append"(, "upsert")?; got "replce"/,
    );
    expect(r.stderr).toMatch(
      /datasets\/health\/clinics.yaml:7:\d+ fields\[0\] \(clinic_id\)\.typ: unknown key "typ"; did you mean "type"\?/,
    );
    expect(r.stderr).toContain('Fix the contract and run again.');
    // Said once, as the error (not also as a warning).
    expect(r.stderr).not.toContain('warning');
    expect(r.stdout).toBe('');
  });

  it('query and catalog: a broken contract is a warning, its dataset left out, the others there', async () => {
    const q = await lake(['query', 'SELECT 1 AS one', '--json', ...local()], { cwd: badProject });
    expect(q.code).toBe(EXIT.ok);
    expect(q.json()).toEqual({ columns: [{ name: 'one', type: 'INTEGER' }], rows: [{ one: 1 }] });
    const warning = JSON.parse(q.stderr.trim().split('\n')[0]).warning;
    expect(warning.code).toBe('invalid_contract');
    expect(warning.message).toMatch(/datasets\/health\/clinics.yaml:4:\d+ mode: must be one of/);
    expect(warning.hint).toContain('health/clinics is left out until it is fixed.');

    const c = await lake(['catalog', ...local()], { cwd: badProject });
    expect(c.code).toBe(EXIT.ok);
    expect(c.stderr).toMatch(/^lake: warning: invalid contract: 2 problems in 1 file:\n/);
    expect(c.stderr).toMatch(/datasets\/health\/clinics.yaml:7:\d+ fields\[0\] \(clinic_id\)\.typ/);
    expect(c.stdout).toContain('education.schools');
    expect(c.stdout).not.toContain('health.clinics');
  });
  it('says where the contracts should be when there are none', async () => {
    const r = await lake(['catalog', ...local()], { cwd: dir });
    expect(r.code).toBe(EXIT.config);
    expect(r.stderr).toContain('lake: no contracts directory at datasets');
    expect(r.stderr).toContain('or pass --datasets <dir>');
  });
});

describe('failures (exit 1) and rejected files (exit 3)', () => {
  it('query: bad SQL and unknown tables', async () => {
    const bad = await lake(['query', 'SELEC 1', ...local()]);
    expect(bad.code).toBe(EXIT.failure);
    expect(bad.stderr).toMatch(/^lake: the query failed: Parser Error: syntax error at or near "SELEC"/);
    expect(bad.stderr).toContain('Tables are <department>.<dataset>: `lake catalog` lists them.');
    const table = await lake(['query', 'SELECT * FROM health.clinic', '--json', ...local()]);
    expect(table.code).toBe(EXIT.failure);
    expect(table.stdout).toBe('');
    expect(table.error()).toMatchObject({ code: 'query_failed' });
    expect(table.error().message).toMatch(/Table with name clinic does not exist/);
    expect(table.error().message).toMatch(/clinics/);
  });

  it('report: an upload that does not exist', async () => {
    const r = await lake(['report', '20990101T000000Z-000000000000', '--json', ...local()]);
    expect(r.code).toBe(EXIT.failure);
    expect(r.error()).toEqual({
      code: 'unknown_upload',
      message: 'no report for upload "20990101T000000Z-000000000000"',
      hint: 'Check the id with `lake status`; an upload still being processed has no report yet.',
    });
  });

  it('validate: a file rejected as a whole exits 3 with the reason', async () => {
    const r = await lake(['validate', join(dir, 'header-only.csv'), '--dataset', 'health/clinics']);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.stdout).toContain('✗ rejected  health/clinics  header-only.csv');
    expect(r.stdout).toMatch(/required column "clinic_id" is missing/);
  });

  it('contract infer: a file whose format the name does not tell', async () => {
    const r = await lake(['contract', 'infer', join(dir, 'notes.docx'), '--dataset', 'health/notes']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('cannot tell the format of notes.docx');
  });
});

describe('the deployed lake, when none can be found (exit 4)', () => {
  it('--outputs names a file that does not exist', async () => {
    const r = await lake(['query', 'SELECT 1', '--outputs', 'nowhere/cdk-outputs.json', '--json'], {
      cwd: dir,
    });
    expect(r.code).toBe(EXIT.config);
    expect(r.error()).toMatchObject({
      code: 'no_stack',
      message: 'no deployed stack found: nowhere/cdk-outputs.json does not exist',
    });
    expect(r.error().hint).toContain('npx cdk deploy --all --outputs-file cdk-outputs.json');
    expect(r.error().hint).toContain('--local');
  });

  it('--outputs names a file without the lake stack', async () => {
    writeFileSync(
      join(dir, 'other-outputs.json'),
      JSON.stringify({ SomeStack: { Url: 'https://example.org' } }),
    );
    const r = await lake(['catalog', '--outputs', 'other-outputs.json'], { cwd: dir });
    expect(r.code).toBe(EXIT.config);
    expect(r.stderr).toMatch(
      /^lake: no deployed stack found in other-outputs.json: no stack in the outputs file has a LandingBucket output/,
    );
  });
});
