/**
 * Personal values to plant, and the spellings a department's file writes them in: seeded, valid (check
 * character, Luhn) and all different, so that each one found later names its case.
 */
import type { DetectedPiiKind } from '../../src/contracts/schema.ts';
import { GUIZHOU_REGIONS, residentId, seeded, withLuhn } from '../privacy/support.ts';

/**
 * Where a planted row must end, as the contract decides:
 * - redacted: published, the value replaced by its mask and the text around it kept;
 * - masked: published, the whole column masked (`undeclaredPii: mask`);
 * - quarantined: the row in quarantine only (a failed type or constraint, `quarantine-rows`, or a whole
 *   file quarantined for a column that is personal data);
 * - not-published: the row published, the value in a column that is published nowhere;
 * - header: the value is a header cell (no row);
 * - published: the value is meant to be published as it is (`pii: none`: the hunt's own check).
 */
export type Fate = 'redacted' | 'masked' | 'quarantined' | 'not-published' | 'header' | 'published';

export interface Plant {
  /** The case, as the report of the suite names it: `ID late in address`. */
  readonly name: string;
  readonly kind: DetectedPiiKind;
  /** The value in its normal form: digits (and X) for numbers, lowercase for an email. */
  readonly value: string;
  /** As the file writes it (the whole cell, or the JSON value). */
  readonly written: string;
  /** Source line of the record (CSV: the header is line 1; JSON lines: 1 is the first record). */
  readonly line: number | null;
  /** The contract field (or file column) it is in. */
  readonly column: string;
  readonly fate: Fate;
  /** Text around the value that a redaction keeps. */
  readonly context?: readonly string[];
  /** The mask a redaction or a masked column must show instead. */
  readonly mask?: string;
  /**
   * The scan sees it as a published text value, so the report's `pii` must name its column and kind
   * (not a header, a value that failed its type, or a column that is not published).
   */
  readonly scanned: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Seeded personal values, never the same twice. */
export class PersonalValues {
  private readonly rand: () => number;
  private readonly used = new Set<string>();

  constructor(seed: number) {
    this.rand = seeded(seed);
  }

  private digits(n: number): string {
    return Array.from({ length: n }, () => Math.floor(this.rand() * 10)).join('');
  }

  private unique(make: () => string): string {
    for (;;) {
      const v = make();
      if (!this.used.has(v)) {
        this.used.add(v);
        return v;
      }
    }
  }

  /** An 18-character resident ID of a Guizhou region, born 1940-2009, valid check character. */
  residentId(): string {
    return this.unique(() => {
      const region = GUIZHOU_REGIONS[Math.floor(this.rand() * GUIZHOU_REGIONS.length)];
      const born = `${1940 + Math.floor(this.rand() * 70)}${pad2(1 + Math.floor(this.rand() * 12))}${pad2(1 + Math.floor(this.rand() * 28))}`;
      return residentId(region + born + this.digits(3));
    });
  }

  /** A resident ID whose check character is X (the form that must be found in upper and lower case). */
  residentIdEndingX(): string {
    for (;;) {
      const id = this.residentId();
      if (id.endsWith('X')) return id;
    }
  }

  /** An 11-digit mainland mobile number (13x to 19x). */
  mobile(): string {
    return this.unique(() => `1${3 + Math.floor(this.rand() * 7)}${this.digits(9)}`);
  }

  /** A 19-digit UnionPay-like card number (62...) with its Luhn digit. */
  bankCard(): string {
    return this.unique(() => withLuhn(`62${this.digits(16)}`));
  }

  /** An email address, lowercase, with a local part long enough to be told apart. */
  email(): string {
    const locals = ['zhang.wei', 'li.na', 'wang.fang', 'liu.yang', 'chen.jing', 'yang.min'];
    const domains = ['example.com', 'gz.gov.cn', 'mail.example.cn', '163.com'];
    return this.unique(
      () =>
        `${locals[Math.floor(this.rand() * locals.length)]}${this.digits(4)}@${domains[Math.floor(this.rand() * domains.length)]}`,
    );
  }
}

/** Full-width digits and X (１２３…Ｘ), as an input method writes them. */
export function fullWidth(s: string): string {
  return s.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

/** 520102 19900307 1236: region, birth date, sequence and check. */
export function spacedId(id: string): string {
  return `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`;
}

/** 138-1234-5678 (or another separator). */
export function groupedMobile(m: string, sep = '-'): string {
  return `${m.slice(0, 3)}${sep}${m.slice(3, 7)}${sep}${m.slice(7)}`;
}

/** 6222 0212 3456 7890 128: groups of four. */
export function groupedCard(card: string): string {
  return card.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** The masks the detectors show (src/privacy/detectors): what a redaction puts in the value's place. */
export const MASKS: Record<DetectedPiiKind, (value: string) => string> = {
  cn_resident_id: (v) => `${v.slice(0, 6)}${'*'.repeat(v.length - 6)}`,
  cn_mobile: (v) => `${v.slice(0, 3)}****${v.slice(-4)}`,
  bank_card: (v) => `${'*'.repeat(v.length - 4)}${v.slice(-4)}`,
  email: (v) => `${v[0]}***${v.slice(v.indexOf('@'))}`,
};
