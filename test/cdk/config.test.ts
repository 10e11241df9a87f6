import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLakeInputs } from '../../lib/config/inputs.ts';
import {
  checkLakeConfigAgainstDepartments,
  defaultLakeConfig,
  LAKE_DEFAULTS,
  loadLakeConfig,
  parseLakeConfig,
} from '../../lib/config/lake-config.ts';
import { ContractError } from '../../src/contracts/index.ts';
import { FIXTURES } from './helpers.ts';

describe('lake.yaml', () => {
  it('means every default when absent or empty', () => {
    const config = loadLakeConfig(join(FIXTURES, 'no-such-lake.yaml'));
    expect(config).toEqual(defaultLakeConfig());
    expect(parseLakeConfig('', 'lake.yaml')).toEqual(config);
    expect(config.catalog.databasePrefix).toBe(LAKE_DEFAULTS.databasePrefix);
    expect(config.query.bytesScannedCutoffPerQuery).toBe(LAKE_DEFAULTS.bytesScannedCutoffPerQuery);
    expect(config.ingestion).toMatchObject({ memoryMiB: LAKE_DEFAULTS.transformerMemoryMiB, batchSize: 1 });
    expect(config.stacks.departmentsPerStack).toBe(1);
    expect(config.personas.public).toEqual([]);
  });

  it('reads the fixture configuration', () => {
    const config = loadLakeConfig(join(FIXTURES, 'lake.yaml'));
    expect(config.catalog).toEqual({ databasePrefix: 'lake_', projectionStartDate: '2024-06-01' });
    expect(config.departments.health.restricted).toEqual([
      'arn:aws:iam::111122223333:role/health-investigator',
    ]);
    expect(config.departments.health.analysts).toHaveLength(1);
    expect(config.monitoring.alarmEmails).toEqual(['ops@example.org']);
  });

  it('reports each problem with its line and key, and suggests nothing it does not know', () => {
    const text = [
      'catalog:',
      '  databasePrefix: Lake-',
      'personas:',
      '  public: [not-an-arn]',
      'colour: blue',
      '',
    ].join('\n');
    let error: unknown;
    try {
      parseLakeConfig(text, 'lake.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractError);
    const issues = (error as ContractError).issues.map((i) => `${i.line}:${i.column} ${i.key}: ${i.message}`);
    expect(issues).toEqual([
      '2:3 catalog.databasePrefix: must be lowercase letters, digits or _ (Glue database names)',
      '4:12 personas.public[0]: must be an ARN (arn:<partition>:...)',
      '5:1 colour: unknown key "colour"',
    ]);
    expect((error as ContractError).message).toContain('lake.yaml:4:12 personas.public[0]: must be an ARN');
  });

  it('reports YAML syntax errors with their position', () => {
    expect(() => parseLakeConfig('catalog: [', 'lake.yaml')).toThrow(
      /lake\.yaml:1:\d+ \(yaml\): YAML syntax error/,
    );
  });

  it('rejects personas of an undeclared department', () => {
    const config = parseLakeConfig('departments:\n  tourism:\n    analysts: []\n', 'lake.yaml');
    expect(() =>
      checkLakeConfigAgainstDepartments(config, [{ id: 'health', name: 'H', uploaders: [] }]),
    ).toThrow(/department "tourism" is not declared in departments.yaml; declared: health/);
  });

  it('loads the inputs together, contracts sorted by department then name', () => {
    const inputs = loadLakeInputs({}, FIXTURES);
    expect(inputs.datasets.map((d) => `${d.department}/${d.name}`)).toEqual([
      'health/clinics',
      'health/pharmacies',
      'health/visits',
      'statistics/population',
    ]);
    expect(inputs.datasetsDir).toBe(join(FIXTURES, 'datasets'));
  });
});

describe('lib/config/lake.example.yaml', () => {
  it('parses, and states the defaults the code uses', () => {
    const example = loadLakeConfig(
      join(import.meta.dirname, '..', '..', 'lib', 'config', 'lake.example.yaml'),
    );
    const defaults = defaultLakeConfig();
    expect({ ...example, departments: {} }).toEqual(defaults);
    expect(example.departments.health).toEqual({ analysts: [], restricted: [] });
  });
});
