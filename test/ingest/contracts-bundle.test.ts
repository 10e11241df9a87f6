import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractHash } from '../../src/contracts/contract-hash.ts';
import { ContractError } from '../../src/contracts/errors.ts';
import { loadDatasets } from '../../src/contracts/load-datasets.ts';
import {
  CONTRACTS_BUNDLE_VERSION,
  readContractsBundle,
  writeContractsBundle,
} from '../../src/ingest/contracts-bundle.ts';
import { ContractsBundleError } from '../../src/ingest/errors.ts';

const DATASETS = fileURLToPath(new URL('../fixtures/contracts/datasets/', import.meta.url));
const BAD_CONTRACT = fileURLToPath(new URL('../fixtures/contracts/bad/bad-type.yaml', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lake-bundle-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('contracts bundle', () => {
  it('round-trips every contract, with the same contract hash', () => {
    // Prepare
    const file = join(dir, 'asset', 'contracts.json');
    const loaded = loadDatasets(DATASETS);

    // Act
    const written = writeContractsBundle(DATASETS, file);
    const read = readContractsBundle(file);

    // Assess
    expect([...read.keys()]).toEqual([...loaded.keys()].sort());
    expect([...written.keys()]).toEqual([...read.keys()]);
    for (const [key, contract] of loaded) {
      expect(read.get(key)).toEqual(contract);
      expect(contractHash(read.get(key) ?? contract)).toBe(contractHash(contract));
    }
  });

  it('writes a stable, versioned JSON document', async () => {
    const file = join(dir, 'contracts.json');
    writeContractsBundle(DATASETS, file);
    const first = await readFile(file, 'utf8');
    writeContractsBundle(DATASETS, file);
    expect(await readFile(file, 'utf8')).toBe(first);
    const data = JSON.parse(first);
    expect(data.bundleVersion).toBe(CONTRACTS_BUNDLE_VERSION);
    expect(
      data.datasets.map((d: { department: string; name: string }) => `${d.department}/${d.name}`),
    ).toEqual(['health/clinics', 'statistics/population']);
  });

  it('refuses to write a bundle from invalid contracts, naming the file', async () => {
    await mkdir(join(dir, 'datasets', 'health'), { recursive: true });
    await writeFile(join(dir, 'datasets', 'health', 'clinics.yaml'), await readFile(BAD_CONTRACT));
    expect(() => writeContractsBundle(join(dir, 'datasets'), join(dir, 'out.json'))).toThrow(ContractError);
  });

  describe('a bad bundle fails on read, naming the file', () => {
    const cases: [string, string, RegExp][] = [
      ['missing', '', /cannot read the contracts bundle/],
      ['not JSON', '{', /not valid JSON/],
      ['of another version', JSON.stringify({ bundleVersion: 99, datasets: [] }), /version 1/],
      [
        'holding an invalid contract',
        JSON.stringify({
          bundleVersion: 1,
          datasets: [{ department: 'health', name: 'clinics', fields: [] }],
        }),
        /dataset "health\/clinics" is not a valid contract/,
      ],
    ];
    it.each(cases)('%s', async (what, text, message) => {
      const file = join(dir, 'contracts.json');
      if (what !== 'missing') await writeFile(file, text);
      const error = (() => {
        try {
          readContractsBundle(file);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ContractsBundleError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.startsWith(file)).toBe(true);
    });

    it('holding the same dataset twice', async () => {
      const file = join(dir, 'contracts.json');
      writeContractsBundle(DATASETS, file);
      const data = JSON.parse(await readFile(file, 'utf8'));
      data.datasets.push(data.datasets[0]);
      await writeFile(file, JSON.stringify(data));
      expect(() => readContractsBundle(file)).toThrow(/dataset "health\/clinics" appears twice/);
    });
  });
});
