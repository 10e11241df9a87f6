/**
 * Personal data in a column, found by the lake's detectors in its values or named by its header, with
 * the protection a draft suggests: resident IDs hashed (they still join across datasets), the rest masked.
 */
import { detectPii } from '../privacy/scan.ts';
import { HOME_ADDRESS_HEADER, PERSON_NAME_HEADER } from './headers.ts';

export interface GuessedPersonalData {
  pii: string;
  protect: 'hash' | 'mask';
  /** Whether the values themselves were recognized (rather than only the header). */
  fromValues: boolean;
  /** Why, for the person reviewing the draft. */
  note: string;
}

/** The personal data in the column `header` with the non-empty trimmed values `present`, if any. */
export function guessPersonalData(header: string, present: string[]): GuessedPersonalData | null {
  const detected = detectPii(present);
  if (detected) {
    const protect = detected.kind === 'cn_resident_id' ? 'hash' : 'mask';
    return {
      pii: detected.kind,
      protect,
      fromValues: true,
      note: `looks like ${detected.kind} (${Math.round(detected.ratio * 100)}% of ${detected.sampled} values): ${protect === 'hash' ? 'hashed, so it still joins across datasets' : 'masked'}; drop it if no one needs it`,
    };
  }
  const trimmed = header.trim();
  if (PERSON_NAME_HEADER.test(trimmed) || HOME_ADDRESS_HEADER.test(trimmed)) {
    return {
      pii: PERSON_NAME_HEADER.test(trimmed) ? 'person_name' : 'address',
      protect: 'mask',
      fromValues: false,
      note: `the header "${header}" names personal data: masked`,
    };
  }
  return null;
}
