import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractHash, loadContract, parseContract } from '../../src/contracts/index.ts';
import { fixture } from './helpers.ts';

const file = fixture('datasets', 'health', 'clinics.yaml');
const text = readFileSync(file, 'utf8');

/** The clinics contract with the same meaning, written differently: key order, flow/block style, comments, quoting. */
const reformatted = `# Clinics, rewritten by hand
fields:
  - { name: clinic_id, type: string, constraints: { pattern: "^GZ[0-9]{6}$", required: true } }
  - name: clinic_name
    headers:
      - 诊所名称
      - 机构名称
    type: string   # the default anyway
  - classification: restricted
    protect: mask
    pii: cn_resident_id
    name: owner_id_number
  - name: opened_on
    type: date
    formats: ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
  - name: beds
    type: integer
    constraints:
      minimum: 0
maxRejectedRatio: 5.0e-2
format:
  encoding: auto
  type: csv
primaryKey:
  - clinic_id
mode: replace
classification: public
description: "All clinics licensed by the provincial health commission."
title: 'Licensed medical clinics'
department: health
name: clinics
`;

describe('contractHash', () => {
  it('is a sha256 hex digest', () => {
    expect(contractHash(loadContract(file))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not change when the YAML is reformatted, reordered or commented', () => {
    expect(contractHash(parseContract(reformatted, 'reformatted.yaml'))).toBe(
      contractHash(loadContract(file)),
    );
  });

  it('does not change when a default is spelled out', () => {
    const spelled = text.replace(
      'maxRejectedRatio: 0.05',
      'maxRejectedRatio: 0.05\nundeclaredPii: quarantine',
    );
    expect(spelled).not.toBe(text);
    expect(contractHash(parseContract(spelled, 'spelled.yaml'))).toBe(contractHash(loadContract(file)));
  });

  it('changes with any change of meaning', () => {
    const base = contractHash(loadContract(file));
    const changes = [
      text.replace('constraints: { minimum: 0 }', 'constraints: { minimum: 1 }'),
      text.replace("formats: ['%Y-%m-%d', '%Y/%m/%d',", "formats: ['%Y/%m/%d', '%Y-%m-%d',"),
      text.replace('protect: mask', 'protect: hash'),
      text.replace('title: Licensed medical clinics', 'title: Licensed clinics'),
    ];
    const hashes = changes.map((t) => {
      expect(t).not.toBe(text);
      return contractHash(parseContract(t, 'changed.yaml'));
    });
    expect(new Set([base, ...hashes]).size).toBe(changes.length + 1);
  });
});
