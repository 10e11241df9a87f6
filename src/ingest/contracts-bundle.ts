/**
 * The contracts bundle: every dataset contract, parsed and with its defaults applied, as one JSON file
 * shipped beside the transformer. The stack writes it at synth from `datasets/`; the function reads it once
 * per cold start, so it never parses YAML nor needs the contract files at run time.
 *
 * The bundle is validated again on read with the same zod schema as the YAML, so a hand-edited or stale
 * bundle fails at cold start with the bundle's name, never half-way through a file. Re-parsing a parsed
 * contract is lossless, so `contractHash` is the same on both sides of the bundle.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { loadDatasets } from '../contracts/load-datasets.ts';
import { type DatasetContract, datasetSchema } from '../contracts/schema.ts';
import { ContractsBundleError } from './errors.ts';

/** Bumped when the bundle's layout changes, so an old function never misreads a new bundle. */
export const CONTRACTS_BUNDLE_VERSION = 1;

const bundleSchema = z.object({
  bundleVersion: z.literal(CONTRACTS_BUNDLE_VERSION),
  datasets: z.array(z.unknown()),
});

/**
 * Loads every contract under `datasetsDir` (laid out `<department>/<dataset>.yaml`) and writes them to
 * `outFile` as JSON, sorted by `department/name`. Throws the loader's ContractError (file, line and key of
 * each problem) when a contract is invalid. Returns the contracts written.
 */
export function writeContractsBundle(datasetsDir: string, outFile: string): Map<string, DatasetContract> {
  const datasets = loadDatasets(datasetsDir);
  const sorted = [...datasets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const bundle = { bundleVersion: CONTRACTS_BUNDLE_VERSION, datasets: sorted.map(([, c]) => c) };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(bundle, null, 2)}\n`);
  return new Map(sorted);
}

/** Reads a bundle written by writeContractsBundle, validating each contract again; keyed `department/name`. */
export function readContractsBundle(file: string): Map<string, DatasetContract> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ContractsBundleError(
      file,
      `cannot read the contracts bundle (${(e as Error).message}); check that the stack bundled it beside the handler`,
      { cause: e },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ContractsBundleError(file, `not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const envelope = bundleSchema.safeParse(data);
  if (!envelope.success) {
    throw new ContractsBundleError(
      file,
      `not a contracts bundle of version ${CONTRACTS_BUNDLE_VERSION} (${z.prettifyError(envelope.error)}); synthesize the stack again`,
    );
  }
  const contracts = new Map<string, DatasetContract>();
  envelope.data.datasets.forEach((raw, i) => {
    const parsed = datasetSchema.safeParse(raw);
    if (!parsed.success) {
      const what = describeEntry(raw, i);
      throw new ContractsBundleError(
        file,
        `${what} is not a valid contract: ${z.prettifyError(parsed.error)}`,
      );
    }
    const key = `${parsed.data.department}/${parsed.data.name}`;
    if (contracts.has(key)) throw new ContractsBundleError(file, `dataset "${key}" appears twice`);
    contracts.set(key, parsed.data);
  });
  return contracts;
}

function describeEntry(raw: unknown, index: number): string {
  if (typeof raw === 'object' && raw !== null) {
    const { department, name } = raw as Record<string, unknown>;
    if (typeof department === 'string' && typeof name === 'string') return `dataset "${department}/${name}"`;
  }
  return `entry ${index}`;
}
