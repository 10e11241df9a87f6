/**
 * The hunter: each planted value's normal forms, searched in normalized text. Digit forms are searched
 * after NFKC (full-width digits and punctuation become ASCII), upper-casing (x -> X) and removing a single
 * space, dash or dot between two digits (520102 19900307 1236, 138-1234-5678, +86 138…); emails after
 * NFKC and lower-casing. A single separator only: table columns (two spaces or more), JSON and CSV
 * punctuation keep separate values apart, so two cells never read as one number.
 *
 * Besides the whole value, the part that identifies a person without it is searched too: an ID's region
 * and birth date (its first 14 characters; a mask keeps 6), a card's digits but the last 4 (a mask keeps
 * those 4), an email's local part.
 */
import type { Plant } from './plants.ts';

export interface Needle {
  readonly plant: Plant;
  /** whole: the value; part: the part that still identifies (see above). */
  readonly form: 'whole' | 'part';
  readonly text: string;
  readonly space: 'digits' | 'text';
}

/** A text searched, and where it comes from (`curated …/x.parquet column remark`, `lake report … stdout`). */
export interface Haystack {
  readonly where: string;
  readonly text: string;
  /** When the text is cells joined by CELL_SEPARATOR: the source line of each cell, to say which row. */
  readonly cellLines?: readonly (number | null)[];
}

export interface Finding {
  readonly plant: Plant;
  readonly form: Needle['form'];
  readonly where: string;
  /** The source line of the cell it was found in, when the haystack is a column. */
  readonly line?: number | null;
}

/** Between the cells of a column: not a separator that the digit normalization removes. */
export const CELL_SEPARATOR = '\u0001';

const SEPARATOR_BETWEEN_DIGITS = /(?<=[0-9])[\s\-.\u2010-\u2015\u2212\u00b7\u30fb](?=[0-9])/g;

export function digitSpace(s: string): string {
  return s.normalize('NFKC').toUpperCase().replace(SEPARATOR_BETWEEN_DIGITS, '');
}

export function textSpace(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

export function needlesOf(plant: Plant): Needle[] {
  const v = plant.value;
  const whole = (space: Needle['space']): Needle => ({ plant, form: 'whole', text: v, space });
  const part = (text: string, space: Needle['space']): Needle => ({ plant, form: 'part', text, space });
  switch (plant.kind) {
    case 'cn_resident_id':
      return [whole('digits'), part(v.slice(0, 14), 'digits')];
    case 'cn_mobile':
      return [whole('digits')];
    case 'bank_card':
      return [whole('digits'), part(v.slice(0, -4), 'digits')];
    case 'email':
      return [whole('text'), part(v.slice(0, v.indexOf('@')), 'text')];
  }
}

/** The string leaves of a JSON document (keys included), when the text is one: escaped text reads plain. */
function jsonLeaves(text: string): string | null {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(t);
  } catch {
    return null;
  }
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === 'string') out.push(x);
    else if (typeof x === 'number') out.push(String(x));
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      for (const [k, y] of Object.entries(x)) {
        out.push(k);
        walk(y);
      }
    }
  };
  walk(doc);
  return out.join(CELL_SEPARATOR);
}

/** The source line of the cell at a character position of a joined column. */
function lineAt(h: Haystack, normalized: string, index: number): number | null | undefined {
  if (!h.cellLines) return undefined;
  let cell = 0;
  for (let i = normalized.indexOf(CELL_SEPARATOR); i !== -1 && i < index; ) {
    cell++;
    i = normalized.indexOf(CELL_SEPARATOR, i + 1);
  }
  return h.cellLines[cell];
}

/** Every needle found in every haystack: one finding per needle and haystack. */
export function hunt(haystacks: Iterable<Haystack>, needles: readonly Needle[]): Finding[] {
  const findings: Finding[] = [];
  for (const h of haystacks) {
    const texts = [h.text];
    const leaves = h.cellLines ? null : jsonLeaves(h.text);
    if (leaves !== null) texts.push(leaves);
    const spaces = {
      digits: texts.map(digitSpace),
      text: texts.map(textSpace),
    };
    for (const n of needles) {
      const hay = spaces[n.space];
      const at = hay.findIndex((t) => t.includes(n.text));
      if (at === -1) continue;
      // A whole value found makes its part redundant: one finding per value and place.
      if (
        n.form === 'part' &&
        findings.some((f) => f.plant === n.plant && f.where === h.where && f.form === 'whole')
      )
        continue;
      const line = at === 0 ? lineAt(h, hay[0], hay[0].indexOf(n.text)) : undefined;
      findings.push({
        plant: n.plant,
        form: n.form,
        where: h.where,
        ...(line !== undefined ? { line } : {}),
      });
    }
  }
  return findings;
}
