/**
 * The leak hunt (issue 9, "Proof"): generated files plant personal values in every form a department
 * writes them, through the local lake with the CLI; then every curated Parquet file, every report, every
 * file the lake keeps outside its restricted zones and everything each command printed are searched for
 * each planted value, normalized. Found outside the raw and quarantine zones: must be 0. Every row of
 * every upload ends published or quarantined, where its contract sends it.
 *
 * LEAK_HUNT_KEEP=1 keeps the temporary lake, files and contracts, to look into a finding.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../src/engine/report.ts';
import { lit } from '../../src/engine/sql.ts';
import { LOCAL_BUCKETS } from '../../src/ingest/local-s3.ts';
import { reportKey } from '../../src/lake/layout.ts';
import { recordingProcessOutput, Transcripts } from './cli-transcript.ts';
import { type Finding, type Haystack, hunt, needlesOf } from './hunt.ts';
import { lakeHaystacks, objectPath, ParquetReader } from './lake-files.ts';
import { MASKS, type Plant } from './plants.ts';
import { contractYaml, departmentsYaml, generateUploads, type Upload } from './uploads.ts';

const UPLOADS = generateUploads();
const HUNTED = UPLOADS.filter((u) => !u.canary);
const CANARY = UPLOADS.filter((u) => u.canary);
const PLANTS = HUNTED.flatMap((u) => u.plants);
/** Rows a human `lake query` shows: all of them. */
const ALL_ROWS = '100000';

interface Outcome {
  /** The exit code and first stderr line of `lake ingest`. */
  ingest: { code: number; error: string };
  report: IngestReport | null;
  /** The source lines of the upload's curated and quarantine rows. */
  curated: Set<number>;
  quarantine: Set<number>;
  curatedPath: string | null;
}

let root: string;
let cli: Transcripts;
let reader: ParquetReader;
const outcomes = new Map<Upload, Outcome>();
let findings: Finding[] = [];
/** Findings in the landing and raw objects, where the values are allowed (and must be). */
let inRaw: Finding[] = [];
let searched = { texts: 0, parquet: 0, calls: 0 };

const lakeDir = () => join(root, 'lake');
/** Each upload's contract alone in a datasets directory, so one that cannot load fails only its own case. */
const setDir = (u: Upload) => join('sets', u.dataset.replace('/', '.'), 'datasets');
const globals = (datasets: string) => [
  '--local',
  '--lake-dir',
  'lake',
  '--datasets',
  datasets,
  '--departments',
  'departments.yaml',
];

async function writeInputs(): Promise<void> {
  await writeFile(join(root, 'departments.yaml'), departmentsYaml());
  await mkdir(join(root, 'files'), { recursive: true });
  for (const u of UPLOADS) {
    const [department, name] = u.dataset.split('/');
    for (const dir of [setDir(u), 'datasets']) {
      await mkdir(join(root, dir, department), { recursive: true });
      await writeFile(join(root, dir, department, `${name}.yaml`), contractYaml(u));
    }
    await writeFile(join(root, 'files', u.fileName), u.body);
  }
}

/** The upload id a command printed: the JSON report's, or the `upload:` line of the human one. */
function uploadIdOf(stdout: string, json: boolean): string | null {
  if (!json) return /^upload:\s+(\S+)/m.exec(stdout)?.[1] ?? null;
  try {
    return (JSON.parse(stdout) as IngestReport).uploadId ?? null;
  } catch {
    return null;
  }
}

/** The report as the lake keeps it, and where the upload's rows are. */
async function outcomeOf(u: Upload, uploadId: string | null, ingest: Outcome['ingest']): Promise<Outcome> {
  const [department, dataset] = u.dataset.split('/');
  let report: IngestReport | null = null;
  if (uploadId) {
    const path = objectPath(
      lakeDir(),
      LOCAL_BUCKETS.quarantine,
      reportKey({ department, dataset }, uploadId),
    );
    report = JSON.parse(await readFile(path, 'utf8').catch(() => 'null')) as IngestReport | null;
  }
  const pathOf = (kind: 'curated' | 'quarantine') => {
    const out = report?.outputs.find((x) => x.kind === kind);
    return out ? objectPath(lakeDir(), LOCAL_BUCKETS[kind], out.key) : null;
  };
  const linesOf = async (path: string | null) => new Set(path ? await reader.lines(path) : []);
  return {
    ingest,
    report,
    curated: await linesOf(pathOf('curated')),
    quarantine: await linesOf(pathOf('quarantine')),
    curatedPath: pathOf('curated'),
  };
}

/** Ingest (with --json every other file, so both renderings are hunted), then every reading command. */
async function uploadAndRead(u: Upload, i: number): Promise<void> {
  const g = globals(setDir(u));
  const json = i % 2 === 0;
  const file = join('files', u.fileName);
  const ingest = await cli.run(['ingest', file, '--dataset', u.dataset, ...(json ? ['--json'] : [])], g);
  const uploadId = uploadIdOf(ingest.stdout, json);
  const error = ingest.stderr.trim().split('\n')[0] ?? '';
  outcomes.set(u, await outcomeOf(u, uploadId, { code: ingest.code, error }));
  if (uploadId) {
    await cli.run(['report', uploadId], g);
    await cli.run(['report', uploadId, '--json'], g);
  }
  const table = u.dataset.replace('/', '.');
  for (const more of [[], ['--json']]) {
    await cli.run(['status', '--dataset', u.dataset, ...more], g);
    await cli.run(['catalog', u.dataset, ...more], g);
    await cli.run(['query', `SELECT * FROM ${table}`, ...(more.length ? more : ['--rows', ALL_ROWS])], g);
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lake-leak-hunt-'));
  cli = new Transcripts({ cwd: root });
  reader = await ParquetReader.open();
  await writeInputs();
  for (const [i, u] of UPLOADS.entries()) await uploadAndRead(u, i);
  // The whole lake at once: every upload, every dataset.
  for (const more of [[], ['--json']]) {
    await cli.run(['status', '--limit', '100', ...more], globals('datasets'));
    await cli.run(['catalog', ...more], globals('datasets'));
  }

  const lake = await lakeHaystacks(lakeDir(), reader);
  const haystacks: Haystack[] = [...lake.haystacks, ...cli.haystacks()];
  const needles = UPLOADS.flatMap((u) => u.plants.flatMap(needlesOf));
  findings = hunt(haystacks, needles);
  inRaw = hunt(lake.restricted, needles);
  searched = { texts: haystacks.length, parquet: lake.parquet.length, calls: cli.all.length };
}, 180_000);

afterAll(async () => {
  reader?.close();
  if (root && process.env.LEAK_HUNT_KEEP) console.log(`leak hunt: kept ${root}`);
  else if (root) await rm(root, { recursive: true, force: true });
});

const findingsOf = (p: Plant) => findings.filter((f) => f.plant === p);

function describeFinding(f: Finding): string {
  const what = f.form === 'whole' ? 'the value' : 'the identifying part of the value';
  const line = f.line !== undefined && f.line !== null ? ` (row of line ${f.line})` : '';
  return `${what} in ${f.where}${line}`;
}

/** Problems with an upload's rows (none: every row published or quarantined, once), and the rows counted. */
function accountFor(u: Upload): { problems: string[]; rows: number } {
  const o = outcomes.get(u);
  if (!o?.report)
    return { problems: [`no report (lake ingest exited ${o?.ingest.code}: ${o?.ingest.error})`], rows: 0 };
  const problems: string[] = [];
  const { total, accepted, rejected, skipped = 0 } = o.report.rows;
  if (accepted + rejected + skipped !== total)
    problems.push(`${accepted} + ${rejected} + ${skipped} skipped rows is not the ${total} in total`);
  if (total !== u.lines.length)
    problems.push(`the report counts ${total} rows, the file has ${u.lines.length}`);
  const both = u.lines.filter((l) => o.curated.has(l) && o.quarantine.has(l));
  const neither = u.lines.filter((l) => !o.curated.has(l) && !o.quarantine.has(l));
  if (both.length)
    problems.push(`${both.length} rows both published and quarantined, lines ${both.slice(0, 5)}`);
  if (neither.length)
    problems.push(`${neither.length} rows neither published nor quarantined, lines ${neither.slice(0, 5)}`);
  if (o.curated.size !== accepted)
    problems.push(`${o.curated.size} rows in curated, the report says ${accepted}`);
  if (o.quarantine.size !== rejected)
    problems.push(`${o.quarantine.size} rows in quarantine, the report says ${rejected}`);
  return { problems, rows: problems.length ? 0 : total };
}

/** Problems with where a planted row ended, against its fate. */
async function fateProblems(p: Plant, o: Outcome | undefined): Promise<string[]> {
  if (p.fate === 'header' || p.line === null) return [];
  if (!o?.report) return ['no report'];
  const published = o.curated.has(p.line);
  const quarantined = o.quarantine.has(p.line);
  if (p.fate === 'quarantined') return quarantined && !published ? [] : ['not in quarantine (only)'];
  if (!published || quarantined)
    return [`not published (${p.fate}): ${quarantined ? 'quarantined' : 'missing'}`];
  if (p.fate === 'not-published' || !o.curatedPath) return [];
  const cell = await reader.cell(o.curatedPath, p.column, p.line);
  const problems: string[] = [];
  if (p.fate === 'masked' && p.mask && cell !== p.mask) problems.push(`column ${p.column} not masked`);
  if (p.fate === 'redacted') {
    const lost = (p.context ?? []).filter((keep) => !cell?.includes(keep));
    if (lost.length)
      problems.push(`the text around the value changed: ${lost.map((t) => `"${t}"`).join(', ')} missing`);
    if (p.mask && !cell?.includes(p.mask)) problems.push(`no ${p.kind} mask in its place`);
  }
  return problems;
}

describe('leak hunt: personal values planted in every form, through the local lake and the CLI', () => {
  describe('found nowhere outside the raw and quarantine zones', () => {
    const cases = HUNTED.flatMap((u) => u.plants.map((p) => [`${u.dataset}: ${p.name}`, p] as const));
    it.each(cases)('%s', (_, plant) => {
      // Uploaded (the raw zone keeps it, so the hunt had something to miss), and found nowhere else.
      const uploaded = inRaw.some(
        (f) => f.plant === plant && f.form === 'whole' && f.where.includes('/raw/'),
      );
      expect({ uploaded, elsewhere: findingsOf(plant).map(describeFinding) }).toEqual({
        uploaded: true,
        elsewhere: [],
      });
    });
  });

  it('accounts for every row: accepted + rejected + skipped = total, each row published or quarantined, once', () => {
    const problems = HUNTED.flatMap((u) => accountFor(u).problems.map((p) => `${u.dataset}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('puts each planted row where its contract sends it: redacted or masked in curated, or in quarantine', async () => {
    const problems: string[] = [];
    for (const u of HUNTED) {
      for (const p of u.plants) {
        for (const problem of await fateProblems(p, outcomes.get(u)))
          problems.push(`${u.dataset}: ${p.name} (line ${p.line}): ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('names each find in the report by column and kind (report.pii), and an occasional one by its line', () => {
    const problems: string[] = [];
    for (const u of HUNTED) {
      const report = outcomes.get(u)?.report;
      for (const p of u.plants.filter((x) => x.scanned)) {
        const label = `${u.dataset}: ${p.name}`;
        const pii = report ? JSON.stringify(report.pii) : '';
        if (!report) problems.push(`${label}: no report`);
        else if (!pii.includes(`"${p.column}"`) || !pii.includes(`"${p.kind}"`))
          problems.push(`${label}: report.pii does not name column ${p.column} with ${p.kind}`);
        else if (p.fate === 'redacted' && p.line !== null && !new RegExp(`\\b${p.line}\\b`).test(pii))
          problems.push(`${label}: report.pii does not give line ${p.line}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('ran every command: ingest exits 0 (or 3 for a file rejected as a whole), the others 0', () => {
    const failed = cli.all
      .filter((t) => !(t.code === 0 || (t.code === 3 && t.call.startsWith('lake ingest'))))
      .map((t) => `${t.call}: exit ${t.code}: ${t.stderr.trim().split('\n')[0]}`);
    expect(failed).toEqual([]);
  });

  it('prints its figure: planted values, found outside raw and quarantine, rows accounted for', () => {
    const leaked = new Set(findings.filter((f) => PLANTS.includes(f.plant)).map((f) => f.plant)).size;
    const accounted = HUNTED.reduce((a, u) => a + accountFor(u).rows, 0);
    const total = HUNTED.reduce((a, u) => a + u.lines.length, 0);
    const n = (x: number) => x.toLocaleString('en-US');
    const rows = accounted === total ? n(total) : `${n(accounted)} of ${n(total)}`;
    console.log(
      `leak hunt: ${PLANTS.length} planted values in ${HUNTED.length} files, ${leaked} found outside raw and quarantine, ${rows} rows accounted for (searched: ${searched.calls} CLI calls' output, ${searched.parquet} Parquet files, ${n(searched.texts)} texts in all)`,
    );
    expect(leaked).toBe(0);
    expect(accounted).toBe(total);
  });

  describe('the hunt itself', () => {
    it('finds the values a contract publishes on purpose (pii: none): in curated Parquet and in lake query', () => {
      for (const p of CANARY.flatMap((u) => u.plants)) {
        const where = findingsOf(p).map((f) => f.where);
        expect(inRaw.some((f) => f.plant === p && f.where.includes('/raw/'))).toBe(true);
        expect(where.some((w) => /^Parquet s3\/lake-curated\/.* column code_text$/.test(w))).toBe(true);
        expect(where).toContain(
          `lake query SELECT * FROM statistics.reference_codes --rows ${ALL_ROWS}: stdout`,
        );
        expect(where).toContain('lake query SELECT * FROM statistics.reference_codes --json: stdout');
      }
    });

    it('finds every planted form written inside text, a table and escaped JSON, and none of the masks', () => {
      const missed: string[] = [];
      const masksFound: string[] = [];
      for (const p of UPLOADS.flatMap((u) => u.plants)) {
        const escaped = JSON.stringify({ v: p.written }).replace(
          /[\u007f-\uffff]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        );
        const texts = [
          `备注：${p.written}。`,
          `  9001  ${p.written}  2026-10-01`,
          escaped,
          p.written.toLowerCase(),
        ];
        texts.forEach((text, i) => {
          if (!hunt([{ where: 'text', text }], needlesOf(p)).some((f) => f.form === 'whole'))
            missed.push(`${p.name}: text ${i}`);
        });
        const masked = `备注：${MASKS[p.kind](p.value)}；尾号${p.value.slice(-4)}`;
        if (hunt([{ where: 'mask', text: masked }], needlesOf(p)).length) masksFound.push(p.name);
      }
      expect(missed).toEqual([]);
      expect(masksFound).toEqual([]);
    });

    it('keeps cells and table columns apart: neighbouring numbers do not make a planted value', () => {
      const id = PLANTS.find((p) => p.kind === 'cn_resident_id') as Plant;
      const region = id.value.slice(0, 6);
      const born = `${id.value.slice(6, 10)}-${id.value.slice(10, 12)}-${id.value.slice(12, 14)}`;
      const texts = [`${region}  ${born}`, `"${region}","${born}"`, `${region}\u0001${born}`];
      expect(texts.flatMap((text) => hunt([{ where: 'table', text }], needlesOf(id)))).toEqual([]);
      expect(hunt([{ where: 'spaced', text: `${region} ${born}` }], needlesOf(id))).toHaveLength(1);
    });

    it("searches a lake's reports, logs, work files and quarantine _errors, and not its raw objects or quarantined rows", async () => {
      // Prepare: a lake directory with the value in each place
      const [p] = PLANTS;
      const dir = await mkdtemp(join(tmpdir(), 'lake-leak-hunt-self-'));
      const put = async (rel: string, text: string) => {
        await mkdir(join(dir, rel, '..'), { recursive: true });
        await writeFile(join(dir, rel), text);
      };
      try {
        await put('s3/lake-raw/raw/d/x/f.csv._S3rver_object', `a\n${p.written}\n`);
        await put('s3/lake-landing/landing/d/x/f.csv._S3rver_object', `a\n${p.written}\n`);
        await put('s3/lake-quarantine/reports/d/x/u.json._S3rver_object', JSON.stringify({ m: p.written }));
        await put('logs/transformer.log', `ERROR bad value ${p.written}\n`);
        await put('tmp/u/decoded.txt', p.written);
        const quarantine = join(
          dir,
          's3/lake-quarantine/quarantine/d/x/ingest_date=2026-12-01/u.parquet._S3rver_object',
        );
        await mkdir(join(quarantine, '..'), { recursive: true });
        const db = await DuckDBInstance.create(':memory:');
        const conn = await db.connect();
        await conn.run(
          `COPY (SELECT ${lit(p.written)} AS a, 7 AS _source_line, [{'message': ${lit(`"${p.written}" is not valid`)}}] AS _errors) TO ${lit(quarantine)} (FORMAT parquet)`,
        );
        conn.closeSync();
        db.closeSync();

        // Act
        const lake = await lakeHaystacks(dir, reader);
        const found = hunt(lake.haystacks, needlesOf(p)).map(
          (f) => `${f.where}${f.line ? ` @${f.line}` : ''}`,
        );

        // Assess
        expect(found.sort()).toEqual(
          [
            'lake file logs/transformer.log',
            'lake file s3/lake-quarantine/reports/d/x/u.json._S3rver_object',
            'lake file tmp/u/decoded.txt',
            'quarantine Parquet s3/lake-quarantine/quarantine/d/x/ingest_date=2026-12-01/u.parquet._S3rver_object column _errors @7',
          ].sort(),
        );
        expect(lake.restricted.map((h) => h.where).sort()).toEqual([
          'restricted s3/lake-landing/landing/d/x/f.csv._S3rver_object',
          'restricted s3/lake-raw/raw/d/x/f.csv._S3rver_object',
        ]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('hears what reaches the console and the process streams while a command runs', async () => {
      const [p] = PLANTS;
      const { logged } = await recordingProcessOutput(
        async () => {
          console.warn('engine: odd value', p.written);
          process.stderr.write(`transformer: ${p.written}\n`);
        },
        { passThrough: false },
      );
      expect(hunt([{ where: 'logged', text: logged }], needlesOf(p)).map((f) => f.form)).toEqual(['whole']);
      expect(logged.split(p.written)).toHaveLength(3);
    });
  });
});
