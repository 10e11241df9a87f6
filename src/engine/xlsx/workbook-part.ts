/**
 * The workbook part (xl/workbook.xml): the sheets in tab order, each with its name, its relationship id
 * and whether it is hidden, and the workbook's date system (1900, or 1904 as old Mac workbooks use).
 */
import { localName, readXml, type XmlHandlers } from './xml-stream.ts';

export interface SheetEntry {
  name: string;
  /** The relationship (in xl/_rels/workbook.xml.rels) that points at the sheet's part. */
  rId: string;
  hidden: boolean;
}

export interface WorkbookPart {
  sheets: SheetEntry[];
  date1904: boolean;
}

/** The relationship id of a `<sheet>`: its `r:id`, whatever the prefix is called. */
function relationshipId(attributes: Readonly<Record<string, string>>): string {
  for (const [name, value] of Object.entries(attributes)) {
    if (name.includes(':') && localName(name) === 'id') return value;
  }
  return '';
}

export async function readWorkbookPart(text: AsyncIterable<string>, part: string): Promise<WorkbookPart> {
  const book: WorkbookPart = { sheets: [], date1904: false };
  const handlers: XmlHandlers = {
    open(name, a) {
      if (name === 'sheet') {
        book.sheets.push({
          name: a.name ?? '',
          rId: relationshipId(a),
          hidden: a.state === 'hidden' || a.state === 'veryHidden',
        });
      } else if (name === 'workbookPr') {
        book.date1904 = a.date1904 === '1' || a.date1904 === 'true';
      }
    },
    close() {},
    text() {},
  };
  await readXml(text, part, 'the workbook part', handlers);
  return book;
}
