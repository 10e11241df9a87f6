/**
 * The one decision of whether a contract field is personal data and how it is protected. The dataset
 * model (src/lake/dataset-model.ts) reads it once per field; every layer then reads the model.
 *
 * A field is personal when it declares a `pii` kind other than `none`; its action is its `protect`, or
 * `mask` when it has none. A field that is not personal is published as it is.
 */
import { type FieldContract, isPersonalKind, type PiiKind, type ProtectAction } from './schema.ts';

/** How a personal column is protected: its kind of personal data and the action applied to it. */
export interface Protection {
  readonly pii: Exclude<PiiKind, 'none'>;
  readonly action: ProtectAction;
}

/**
 * The protection of a field, or null when it is not personal data. A field redacted without a declared
 * kind carries personal data of kinds found value by value: `other`.
 */
export function fieldProtection(field: Pick<FieldContract, 'pii' | 'protect'>): Protection | null {
  if (field.protect === 'redact')
    return { pii: isPersonalKind(field.pii) ? field.pii : 'other', action: 'redact' };
  if (!isPersonalKind(field.pii)) return null;
  return { pii: field.pii, action: field.protect ?? 'mask' };
}
