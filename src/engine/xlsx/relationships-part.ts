/**
 * The workbook's relationships (xl/_rels/workbook.xml.rels): which part holds each sheet, the styles and
 * the shared strings. Targets are resolved to part names in the zip archive, whether written relative to
 * the workbook part (`worksheets/sheet1.xml`) or absolute (`/xl/worksheets/sheet1.xml`).
 */
import { readXml } from './xml-stream.ts';

export interface Relationship {
  id: string;
  /** The last segment of the relationship type: `worksheet`, `chartsheet`, `styles`, `sharedStrings`. */
  kind: string;
  /** The target's part name in the archive (`xl/worksheets/sheet1.xml`); null for an external target. */
  part: string | null;
}

/** `target` as a part name, relative to the folder `base` (`xl/`). */
export function resolveTarget(base: string, target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : base + target;
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') out.pop();
    else if (segment !== '.' && segment !== '') out.push(segment);
  }
  return out.join('/');
}

/** A target as written, with its `%20`-style escapes undone (left as is when they are malformed). */
function unescapeTarget(target: string): string {
  try {
    return decodeURI(target);
  } catch {
    return target;
  }
}

export async function readRelationships(
  text: AsyncIterable<string>,
  part: string,
  base: string,
): Promise<Relationship[]> {
  const rels: Relationship[] = [];
  await readXml(text, part, "the workbook's relationships", {
    open(name, a) {
      if (name !== 'Relationship') return;
      const type = a.Type ?? '';
      rels.push({
        id: a.Id ?? '',
        kind: type.slice(type.lastIndexOf('/') + 1),
        part: a.TargetMode === 'External' ? null : resolveTarget(base, unescapeTarget(a.Target ?? '')),
      });
    },
    close() {},
    text() {},
  });
  return rels;
}
