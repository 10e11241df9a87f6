/** `lake contract infer`: drafts that the loader accepts and that the engine reads the sample with. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contracts/index.ts';
import { transformFile } from '../../src/engine/transform.ts';
import { inferContract } from '../../src/infer/infer-contract.ts';
import { inferField } from '../../src/infer/infer-field.ts';
import { EXAMPLE_FILES, EXAMPLES, lake, ROOT, tempLakeDir } from './helpers.ts';

const REF = { department: 'test', dataset: 'draft' };

async function readsItself(file: string) {
  const inferred = await inferContract(join(ROOT, file), REF);
  const out = await mkdtemp(join(tmpdir(), 'lake-infer-test-'));
  try {
    const report = await transformFile({
      inputPath: join(ROOT, file),
      contract: inferred.contract,
      sourceKey: `landing/test/draft/${file.split('/').pop()}`,
      uploadId: 'infer',
      outDir: out,
      hashKey: Buffer.alloc(32, 1),
    });
    return { inferred, report };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

describe('lake contract infer on the examples', () => {
  it.each(EXAMPLE_FILES.filter((e) => !e.file.includes('bus-stops')).map((e) => e.file))(
    '%s: a valid draft that accepts every row of its sample',
    async (file) => {
      const { report } = await readsItself(file);
      expect(report.status).toBe('accepted');
      expect(report.pii.flagged).toEqual([]);
    },
  );

  it('finds the GB18030 encoding, Chinese headers, date spellings and personal data of the clinics', async () => {
    const { inferred } = await readsItself('examples/health/clinics/clinics-2026-11.csv');
    const c = inferred.contract;
    expect(inferred.encoding).toBe('gb18030');
    expect(c.format).toMatchObject({ type: 'csv', encoding: 'gb18030' });
    expect(c.primaryKey).toEqual(['org_code']);
    const f = Object.fromEntries(c.fields.map((x) => [x.name, x]));
    expect(f.org_code).toMatchObject({
      type: 'string',
      headers: ['机构编码'],
      constraints: { required: true, pattern: '^GZ[0-9]{9}$' },
    });
    expect(f.opened_on).toMatchObject({ type: 'date', formats: ['%Y-%m-%d', '%Y/%m/%d', '%Y年%m月%d日'] });
    expect(f.person_in_charge).toMatchObject({
      pii: 'person_name',
      protect: 'mask',
      classification: 'restricted',
    });
    expect(f.person_in_charge_id).toMatchObject({ type: 'string', pii: 'cn_resident_id', protect: 'hash' });
    expect(f.beds).toMatchObject({ type: 'integer', constraints: { minimum: 0 } });
    expect(f.county_code.type).toBe('string');
  });

  it('reads the xlsx: years, 是/否 booleans, enums', async () => {
    const { inferred } = await readsItself('examples/education/schools/schools-2026.xlsx');
    const f = Object.fromEntries(inferred.contract.fields.map((x) => [x.name, x]));
    expect(f.founded_year.type).toBe('year');
    expect(f.boarding).toMatchObject({ type: 'boolean', trueValues: ['是'], falseValues: ['否'] });
    expect(f.ownership.constraints?.enum).toEqual(['公办', '民办']);
  });

  it('keeps mobile numbers as protected text, not as integers', () => {
    const f = inferField(
      '联系电话',
      Array.from({ length: 30 }, (_, i) => `1390000${String(1000 + i)}`),
      0,
      new Set(),
    );
    expect(f.field).toMatchObject({ name: 'phone', type: 'string', pii: 'cn_mobile', protect: 'mask' });
  });
});

describe('lake contract infer from the command line', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, remove } = await tempLakeDir());
  });
  afterAll(async () => {
    await remove();
  });

  it('prints the YAML, or writes it (once) with --write', async () => {
    const file = join(EXAMPLES, 'civil_affairs/assistance_payments/assistance-payments-2026-09.csv');
    const printed = await lake(['contract', 'infer', file, '--dataset', 'civil_affairs/payments_draft']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(
      /^# Draft contract inferred from assistance-payments-2026-09.csv \(1426 rows sampled\)/,
    );
    // Valid as a draft; a contract only once a person has written its description.
    expect(() => parseContract(printed.stdout, 'draft.yaml', {}, { draft: true })).not.toThrow();
    expect(() => parseContract(printed.stdout, 'draft.yaml')).toThrow(/description is still the placeholder/);

    const datasets = join(dir, 'datasets');
    const args = [
      'contract',
      'infer',
      file,
      '--dataset',
      'civil_affairs/payments_draft',
      '--datasets',
      datasets,
      '--write',
      '--json',
    ];
    const written = await lake(args);
    expect(written.json()).toMatchObject({
      written: expect.stringMatching(/payments_draft\.yaml$/),
      rowsSampled: 1426,
    });
    expect(await readFile(join(datasets, 'civil_affairs/payments_draft.yaml'), 'utf8')).toBe(printed.stdout);

    const again = await lake(args);
    expect(again.code).toBe(2);
    expect(again.error().message).toMatch(/payments_draft.yaml already exists/);
  });
});
