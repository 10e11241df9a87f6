/** Every SQL twin must compute exactly what its JavaScript reference computes, evaluated in DuckDB. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTED_PII } from '../../src/contracts/schema.ts';
import { sqlTrim, trimText } from '../../src/privacy/detector.ts';
import { DETECTORS } from '../../src/privacy/detectors/index.ts';
import { corpus, type Db, openDb } from './support.ts';

describe('SQL twins of the detectors', () => {
  const values = corpus();
  let db: Db;

  beforeAll(async () => {
    db = await openDb();
  });
  afterAll(() => db.close());

  it('uses a corpus of a few hundred values', () => {
    // Assess
    expect(values.length).toBeGreaterThan(300);
    expect(values).toContain(null);
    expect(values).toContain('');
  });

  it('trims exactly like String.prototype.trim', async () => {
    // Prepare
    const expected = values.map((v) => (v === null ? null : trimText(v)));
    // Act
    const [actual] = await db.evaluate(values, [sqlTrim('v')]);
    // Assess
    expect(actual).toEqual(expected);
    expect(expected).toEqual(values.map((v) => v?.trim() ?? null));
  });

  describe.each(DETECTED_PII)('%s', (kind) => {
    const detector = DETECTORS[kind];

    it('sqlNormalize equals normalize for every value', async () => {
      // Prepare
      const expected = values.map((v) => (v === null ? null : detector.normalize(v)));
      // Act
      const [actual] = await db.evaluate(values, [detector.sqlNormalize('v')]);
      // Assess
      expect(actual).toEqual(expected);
    });

    it('sqlMask equals mask for every value', async () => {
      // Prepare
      const expected = values.map((v) => (v === null ? null : detector.mask(v)));
      // Act
      const [actual] = await db.evaluate(values, [detector.sqlMask('v')]);
      // Assess
      expect(actual).toEqual(expected);
    });

    it('accepts any SQL expression as the column', async () => {
      // Prepare: an expression that would bind wrongly if spliced in without care.
      const expr = "v || ''";
      const expected = values.map((v) => (v === null ? null : detector.mask(v)));
      // Act
      const [actual] = await db.evaluate(values, [detector.sqlMask(expr)]);
      // Assess
      expect(actual).toEqual(expected);
    });
  });
});
