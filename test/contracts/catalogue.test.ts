/**
 * Catalogue metadata in the contract: sharing and opening types with their basis, update frequency,
 * licence, keywords, theme, area, period and contact point; and the loader's refusal to open personal
 * or non-public columns to anyone, each problem named at its line and key.
 */
import { describe, expect, it } from 'vitest';
import { loadDatasets, parseContract } from '../../src/contracts/index.ts';
import { issuesOf, where } from './helpers.ts';

const head = 'name: clinics\ndepartment: health\ntitle: Clinics\nclassification: public\n';
const fields = (...lines: string[]) => `fields:\n${lines.map((l) => `  - ${l}\n`).join('')}`;
const parse = (text: string) => parseContract(text, 'clinics.yaml');

describe('catalogue metadata', () => {
  it('loads every key, with sharing unconditional when absent', () => {
    const c = parse(
      `${head}updateFrequency: monthly\nlicense: CC-BY-4.0\nkeywords: [诊所, 床位]\ntheme: [HEAL]\n` +
        "spatial: '520100'\ntemporal: { field: opened_on }\ncontactPoint: { name: 医政医管处, email: yizheng@example.gov.cn }\n" +
        'opening: { type: unconditional }\n' +
        fields('{ name: clinic_id }', '{ name: opened_on, type: date }'),
    );
    expect(c).toMatchObject({
      updateFrequency: 'monthly',
      license: 'CC-BY-4.0',
      keywords: ['诊所', '床位'],
      theme: ['HEAL'],
      spatial: '520100',
      temporal: { field: 'opened_on' },
      opening: { type: 'unconditional' },
    });
    expect(c.sharing).toBeUndefined();
  });

  it('asks a conditional or refused type for its basis, and conditional for its conditions', () => {
    const issues = issuesOf(() =>
      parse(
        `${head}sharing: { type: conditional }\nopening: { type: none }\n${fields('{ name: clinic_id }')}`,
      ),
    );
    expect(where(issues)).toEqual([
      [5, 'sharing.basis'],
      [5, 'sharing.conditions'],
      [6, 'opening.basis'],
    ]);
    expect(issues.map((i) => i.message).join('\n')).toMatch(
      /needs a basis.*\n.*needs conditions.*\n.*none needs a basis/,
    );
  });

  it('refuses to open unconditionally a personal-data column, masked or hashed, naming the field', () => {
    const issues = issuesOf(() =>
      parse(
        `${head}license: CC-BY-4.0\nopening: { type: unconditional }\n` +
          fields(
            '{ name: clinic_id }',
            '{ name: owner_name, pii: person_name }',
            '{ name: owner_id, pii: cn_resident_id, protect: hash }',
            '{ name: owner_phone, pii: cn_mobile, protect: drop }',
            '{ name: notes, protect: redact }',
          ),
      ),
    );
    expect(issues.map((i) => i.key)).toEqual([
      'fields[1] (owner_name).pii',
      'fields[2] (owner_id).pii',
      'fields[4] (notes).protect',
    ]);
    expect(issues[1]?.message).toContain('"owner_id" is personal data (cn_resident_id, hash');
    expect(issues[1]?.message).toContain('protect: drop');
  });

  it('refuses to open unconditionally a column classified above public, and a dataset not shared', () => {
    const issues = issuesOf(() =>
      parse(
        'name: clinics\ndepartment: health\ntitle: Clinics\nclassification: internal\nlicense: CC-BY-4.0\n' +
          "sharing: { type: none, basis: 'a decision' }\nopening: { type: unconditional }\n" +
          fields(
            '{ name: clinic_id, classification: public }',
            '{ name: beds, type: integer }',
            '{ name: grade, classification: restricted }',
          ),
      ),
    );
    expect(where(issues)).toEqual([
      [4, 'classification'],
      [7, 'opening.type'],
      [11, 'fields[2] (grade).classification'],
    ]);
    expect(issues[0]?.message).toContain('"beds" is classified internal');
  });

  it('asks opened data for a licence and a temporal field for a published date', () => {
    const issues = issuesOf(() =>
      parse(
        `${head}opening: { type: unconditional }\ntemporal: { field: clinic_id }\n` +
          fields('{ name: clinic_id }'),
      ),
    );
    expect(where(issues)).toEqual([
      [5, 'opening'],
      [6, 'temporal.field'],
    ]);
    expect(issues[1]?.message).toContain('the contract has none');
  });

  it('holds for the shipped contracts: open ones publish no personal column', () => {
    const datasets = [...loadDatasets('datasets').values()];
    const open = datasets
      .filter((d) => d.opening?.type === 'unconditional')
      .map((d) => `${d.department}/${d.name}`);
    expect(open.sort()).toEqual(['education/schools', 'statistics/divisions', 'transport/bus_stops']);
    const payments = datasets.find((d) => d.name === 'assistance_payments');
    expect(payments?.sharing?.type).toBe('conditional');
  });
});
