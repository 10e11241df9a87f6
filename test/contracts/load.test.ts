import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ContractError,
  checkDatasetsAgainstDepartments,
  contractFile,
  DEFAULT_CLASSIFICATION,
  DEFAULT_MAX_REJECTED_RATIO,
  DEFAULT_MODE,
  loadContract,
  loadDatasets,
  loadDepartments,
  parseContract,
} from '../../src/contracts/index.ts';
import { fixture, issuesOf, where } from './helpers.ts';

describe('valid contracts', () => {
  it('loads the clinics contract as written', () => {
    const file = fixture('datasets', 'health', 'clinics.yaml');
    const c = loadContract(file);
    expect(c.name).toBe('clinics');
    expect(c.department).toBe('health');
    expect(c.classification).toBe('public');
    expect(c.primaryKey).toEqual(['clinic_id']);
    expect(c.format).toEqual({ type: 'csv', encoding: 'auto', gzip: 'auto' });
    expect(c.fields.map((f) => f.name)).toEqual([
      'clinic_id',
      'clinic_name',
      'owner_id_number',
      'opened_on',
      'beds',
    ]);
    expect(c.fields[0].constraints).toEqual({ required: true, pattern: '^GZ[0-9]{6}$' });
    expect(c.fields[1].headers).toEqual(['诊所名称', '机构名称']);
    expect(c.fields[2]).toMatchObject({
      pii: 'cn_resident_id',
      protect: 'mask',
      classification: 'restricted',
    });
    expect(c.fields[3].formats).toEqual(['%Y-%m-%d', '%Y/%m/%d', '%Y年%m月%d日']);
    expect(c.fields[4]).toMatchObject({ type: 'integer', constraints: { minimum: 0 } });
    expect(contractFile(c)).toBe(file);
  });

  it('applies the defaults to keys left out', () => {
    const c = loadContract(fixture('datasets', 'statistics', 'population.yaml'));
    expect(c.classification).toBe(DEFAULT_CLASSIFICATION);
    expect(c.mode).toBe(DEFAULT_MODE);
    expect(c.maxRejectedRatio).toBe(DEFAULT_MAX_REJECTED_RATIO);
    expect(c.undeclaredPii).toBe('quarantine');
    expect(c.format).toEqual({ type: 'csv', encoding: 'auto', gzip: 'auto' });
    expect(c.fields[0].type).toBe('string');
    expect(c.primaryKey).toBeUndefined();
  });

  it('accepts a byte order mark', () => {
    const text = readFileSync(fixture('datasets', 'health', 'clinics.yaml'), 'utf8');
    expect(parseContract(`\uFEFF${text}`, 'clinics.yaml').name).toBe('clinics');
  });
});

describe('bad contracts: each problem at its file, line and key', () => {
  const cases: [file: string, line: number, column: number, key: string, message: RegExp][] = [
    [
      'unknown-key.yaml',
      13,
      5,
      'fields[0] (clinic_id).constraint',
      /unknown key "constraint"; did you mean "constraints"\?/,
    ],
    [
      'bad-type.yaml',
      15,
      5,
      'fields[1] (clinic_name).type',
      /must be one of "string", "number".*; got "text"/,
    ],
    ['bad-id.yaml', 2, 1, 'department', /lowercase identifier/],
    [
      'missing-primary-key.yaml',
      7,
      25,
      'primaryKey[1]',
      /primaryKey "clinic_code" is not a field; fields are: clinic_id,/,
    ],
    ['duplicate-field.yaml', 22, 5, 'fields[3] (clinic_id).name', /duplicate field name "clinic_id"/],
    [
      'bad-pattern.yaml',
      13,
      36,
      'fields[0] (clinic_id).constraints.pattern',
      /not a valid regular expression/,
    ],
    ['syntax-error.yaml', 3, 8, '(yaml)', /YAML syntax error: Nested mappings/],
    [
      'protect-without-pii.yaml',
      19,
      5,
      'fields[2] (owner_id_number).protect',
      /protect: mask needs a pii kind/,
    ],
    [
      'formats-on-integer.yaml',
      27,
      5,
      'fields[4] (beds).formats',
      /formats applies to date, datetime and time/,
    ],
    ['not-a-mapping.yaml', 2, 1, '(document)', /must be a YAML mapping/],
  ];
  it.each(cases)('%s', (name, line, column, key, message) => {
    const file = fixture('bad', name);
    const issues = issuesOf(() => loadContract(file));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file, line, column, key });
    expect(issues[0].message).toMatch(message);
  });

  it('reports every problem of a file at once, in file order', () => {
    const file = fixture('bad', 'several-errors.yaml');
    const issues = issuesOf(() => loadContract(file));
    expect(issues.every((i) => i.file === file)).toBe(true);
    expect(where(issues)).toEqual([
      [1, 'title'], // missing: reported at the document
      [4, 'classification'],
      [5, 'primary_key'],
      [6, 'maxRejectedRatio'],
      [7, 'format.encoding'],
      [10, 'fields[0] (clinic_id).constraints.required'],
      [10, 'fields[0] (clinic_id).constraints.pattern'],
      [11, 'fields[1] (clinic_id).name'],
      [13, 'fields[1] (clinic_id).formats'],
      [15, 'fields[2] (owner).protect'],
      [16, 'fields[2] (owner).colour'],
      [19, 'fields[3] (opened_on).constraints.minimum'],
    ]);
    const messages = issues.map((i) => i.message);
    expect(messages).toContain('is required');
    expect(messages).toContain('unknown key "primary_key"; did you mean "primaryKey"?');
    expect(messages).toContain('must be at most 1');
    expect(messages).toContain('expected true or false, got "yes"');
    expect(messages).toContain('duplicate field name "clinic_id"');
    expect(messages).toContain('expected a number or a string, got boolean true');
    expect(messages.find((m) => m.startsWith('unknown key "colour"'))).toMatch(/allowed keys: name, type,/);
  });

  it('states every issue as file:line:column key: message and ends with what to do', () => {
    const file = fixture('bad', 'several-errors.yaml');
    let error: unknown;
    try {
      loadContract(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractError);
    const lines = (error as ContractError).message.split('\n');
    expect((error as ContractError).name).toBe('ContractError');
    expect(lines[0]).toBe('12 problems in 1 file:');
    expect(lines[1]).toBe(`${file}:1:1 title: is required`);
    expect(lines[3]).toBe(`${file}:5:1 primary_key: unknown key "primary_key"; did you mean "primaryKey"?`);
    expect(lines).toHaveLength(14);
    expect(lines.at(-1)).toMatch(/fix the contract and run again/i);
  });

  it('names the file given to parseContract', () => {
    const issues = issuesOf(() => parseContract('name: x\n', 'inline.yaml'));
    expect(issues.every((i) => i.file === 'inline.yaml')).toBe(true);
    expect(where(issues)).toEqual([
      [1, 'department'],
      [1, 'title'],
      [1, 'fields'],
    ]);
  });
});

describe('loadDatasets', () => {
  it('loads <dir>/<department>/<dataset>.yaml keyed department/name', () => {
    const datasets = loadDatasets(fixture('datasets'));
    expect([...datasets.keys()]).toEqual(['health/clinics', 'statistics/population']);
    expect(datasets.get('health/clinics')?.title).toBe('Licensed medical clinics');
  });

  it('requires department and name to match the directory and file name, across all files at once', () => {
    const dir = fixture('mismatch', 'datasets');
    const issues = issuesOf(() => loadDatasets(dir));
    expect(issues).toEqual([
      {
        file: fixture('mismatch', 'datasets', 'education', 'clinics.yaml'),
        line: 2,
        column: 1,
        key: 'department',
        message:
          'department "health" does not match the directory "education" the file is in; they must be the same',
      },
      {
        file: fixture('mismatch', 'datasets', 'education', 'school.yaml'),
        line: 1,
        column: 1,
        key: 'name',
        message: 'name "schools" does not match the file name "school.yaml"; they must be the same',
      },
    ]);
  });

  it('applies the same check to loadContract of a file under datasets/<department>/', () => {
    const file = fixture('mismatch', 'datasets', 'education', 'clinics.yaml');
    expect(where(issuesOf(() => loadContract(file)))).toEqual([[2, 'department']]);
    // Outside a datasets/ tree the file's location says nothing about the contract.
    const text = readFileSync(file, 'utf8');
    expect(parseContract(text, file).department).toBe('health');
  });

  it('collects problems from several files into one error', () => {
    let error: unknown;
    try {
      loadDatasets(fixture('mismatch', 'datasets'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).message.split('\n')[0]).toBe('2 problems in 2 files:');
  });

  it('reports a contract outside a department directory and a dataset defined twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contracts-'));
    try {
      const clinics = readFileSync(fixture('datasets', 'health', 'clinics.yaml'), 'utf8');
      mkdirSync(join(dir, 'health'));
      writeFileSync(join(dir, 'clinics.yaml'), clinics);
      writeFileSync(join(dir, 'health', 'clinics.yaml'), clinics);
      writeFileSync(join(dir, 'health', 'clinics.yml'), clinics);
      const issues = issuesOf(() => loadDatasets(dir));
      expect(issues.map((i) => [i.file, i.line, i.key])).toEqual([
        [join(dir, 'clinics.yaml'), 1, '(file)'],
        [join(dir, 'health', 'clinics.yml'), 1, 'name'],
      ]);
      expect(issues[1].message).toContain(join(dir, 'health', 'clinics.yaml'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('departments', () => {
  it('loads departments.yaml', () => {
    const departments = loadDepartments(fixture('departments.yaml'));
    expect(departments.map((d) => d.id)).toEqual([
      'health',
      'education',
      'transport',
      'civil_affairs',
      'statistics',
    ]);
    expect(departments[0].uploaders).toEqual(['arn:aws:iam::111122223333:role/health-uploader']);
    expect(departments[1].uploaders).toEqual([]);
  });

  it('reports bad ids, unknown keys, duplicate ids and missing names at once', () => {
    const file = fixture('bad', 'departments.yaml');
    const issues = issuesOf(() => loadDepartments(file));
    expect(issues.every((i) => i.file === file)).toBe(true);
    expect(where(issues)).toEqual([
      [4, 'departments[1] (Education).id'],
      [8, 'departments[2] (transport).uploader'],
      [9, 'departments[3] (health).id'],
      [11, 'departments[4] (statistics).name'],
    ]);
    expect(issues[2].message).toBe('duplicate department id "health"');
  });

  it('rejects a dataset whose department is not declared, naming its file', () => {
    const departments = loadDepartments(fixture('departments.yaml'));
    const datasets = loadDatasets(fixture('undeclared', 'datasets'));
    expect([...datasets.keys()]).toEqual(['tourism/hotels', 'transport/bus_routes']);
    const issues = issuesOf(() => checkDatasetsAgainstDepartments(datasets, departments));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      file: fixture('undeclared', 'datasets', 'tourism', 'hotels.yaml'),
      line: 3,
      column: 1,
      key: 'department',
    });
    expect(issues[0].message).toMatch(/department "tourism" is not declared in .*departments\.yaml/);
  });

  it('accepts datasets of declared departments', () => {
    const departments = loadDepartments(fixture('departments.yaml'));
    expect(() =>
      checkDatasetsAgainstDepartments(loadDatasets(fixture('datasets')), departments),
    ).not.toThrow();
  });
});
