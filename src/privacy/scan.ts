/**
 * Flags columns that look like personal data: over a sample of a column's values, the share that each
 * built-in detector recognizes.
 */
import { DETECTED_PII, type DetectedPiiKind } from '../contracts/schema.ts';
import { trimText } from './detector.ts';
import { DETECTORS } from './detectors/index.ts';

/** Share of non-empty sampled values that must match for a column to be flagged. */
export const DEFAULT_PII_THRESHOLD = 0.3;
/** Fewer non-empty values than this are not enough to judge a column. */
export const DEFAULT_PII_MIN_SAMPLES = 5;

export interface PiiDetection {
  kind: DetectedPiiKind;
  /** Share of the sampled (non-empty) values attributed to the detector. */
  ratio: number;
  /** Number of non-empty values looked at. */
  sampled: number;
}

/**
 * The detector matching the largest share of the non-empty trimmed values, when that share reaches the
 * threshold. Detectors are tried in the DETECTED_PII order (resident ID first, bank card last) and each
 * value counts for the first detector that recognizes it only, so an 18-digit resident ID that happens to
 * pass the Luhn check counts as a resident ID, not also as a bank card. Ties go to the earlier detector.
 */
export function detectPii(
  values: string[],
  opts: { threshold?: number; minSamples?: number } = {},
): PiiDetection | undefined {
  const threshold = opts.threshold ?? DEFAULT_PII_THRESHOLD;
  const minSamples = opts.minSamples ?? DEFAULT_PII_MIN_SAMPLES;
  const counts = new Map<DetectedPiiKind, number>(DETECTED_PII.map((k) => [k, 0]));
  let sampled = 0;
  for (const raw of values) {
    const value = trimText(raw);
    if (value === '') continue;
    sampled++;
    const kind = DETECTED_PII.find((k) => DETECTORS[k].test(value));
    if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  if (sampled === 0 || sampled < minSamples) return undefined;
  let best: PiiDetection | undefined;
  for (const kind of DETECTED_PII) {
    const ratio = (counts.get(kind) ?? 0) / sampled;
    if (ratio > 0 && ratio >= threshold && (!best || ratio > best.ratio)) best = { kind, ratio, sampled };
  }
  return best;
}
