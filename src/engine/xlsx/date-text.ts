/**
 * Spreadsheet dates and times as text. A workbook stores them as day numbers counted from the day 0 of
 * its date system; a number is a date when its cell's number format shows a date or time, and that
 * format decides whether the value is a date, a date and time, or a time of day.
 */

export const MS_PER_DAY = 86_400_000;
/** Day 0 of the 1900 and 1904 date systems: a day number counts the days since. */
export const EPOCH_1900 = Date.UTC(1899, 11, 30);
export const EPOCH_1904 = Date.UTC(1904, 0, 1);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A number format without its bracketed parts (`[Red]`, `[$-804]`, `[h]`) and quoted literals. */
function formatTokens(format: string | undefined): string {
  return (format ?? '').replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
}

/** Whether a number format shows a date or time: a year, month, day, hour, minute, second or era token. */
export function isDateFormat(format: string | undefined): boolean {
  return /[ymdhMsb]/.test(formatTokens(format));
}

/**
 * `YYYY-MM-DD` at midnight, else `YYYY-MM-DD HH:MM:SS` (to the nearest second); `HH:MM:SS` for a time
 * of day: a value on day 0 whose format shows neither year nor day.
 */
export function dateText(d: Date, epoch: number, format: string | undefined): string {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) return '';
  const t = new Date(Math.round(ms / 1000) * 1000);
  const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const day = Math.floor(t.getTime() / MS_PER_DAY) * MS_PER_DAY;
  if (day === epoch && !/[yd]/i.test(formatTokens(format))) return time;
  const date = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  return time === '00:00:00' ? date : `${date} ${time}`;
}
