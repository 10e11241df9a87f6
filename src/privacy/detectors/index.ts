/** The built-in detectors, one per detected PII kind (iterate DETECTED_PII for a fixed order). */
import type { DetectedPiiKind } from '../../contracts/schema.ts';
import type { Detector } from '../detector.ts';
import { bankCard } from './bank-card.ts';
import { cnMobile } from './cn-mobile.ts';
import { cnResidentId } from './cn-resident-id.ts';
import { email } from './email.ts';

export const DETECTORS: Record<DetectedPiiKind, Detector> = {
  cn_resident_id: cnResidentId,
  cn_mobile: cnMobile,
  email,
  bank_card: bankCard,
};
