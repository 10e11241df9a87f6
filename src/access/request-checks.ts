/**
 * The access service's checks: a request's purpose or reason (one line, no personal data), the date a
 * grant lasts until, its id, and the errors a missing request or a decision out of turn raise.
 */
import { randomBytes } from 'node:crypto';
import { AccessError } from './errors.ts';
import { type AccessRequest, MAX_GRANT_DAYS, MAX_TEXT_LENGTH, type RequestStatus, utcDate } from './model.ts';

const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A short request id, `r-` and 6 characters (about 30 bits). */
export function newRequestId(): string {
  const bytes = randomBytes(6);
  return `r-${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}

export function notFound(id: string): AccessError {
  return new AccessError(`there is no access request ${id}`, {
    code: 'not_found',
    hint: '`lake access list` shows the requests you may see.',
  });
}

export function conflict(r: AccessRequest, wanted: RequestStatus): AccessError {
  const verb = { approved: 'approve', denied: 'deny', revoked: 'revoke' }[wanted as string] ?? wanted;
  const hint =
    r.status === 'pending'
      ? `A pending request is approved or denied: lake access deny ${r.id} --reason …`
      : r.status === 'approved'
        ? `An approved grant is taken back with: lake access revoke ${r.id} --reason …`
        : `The requester asks again: lake access request ${r.dataset} --purpose … --until …`;
  return new AccessError(`request ${r.id} is ${r.status}: it cannot be ${wanted}`, {
    code: 'conflict',
    hint: `${hint} (cannot ${verb} it now).`,
  });
}

/** Purpose and reason: one line of plain text. */
export function checkText(text: string | undefined, option: string, what: string): string {
  const t = (text ?? '').trim();
  if (!t) throw new AccessError(`${option} is required`, { code: 'bad_request', hint: `Say ${what}.` });
  if ([...t].length > MAX_TEXT_LENGTH) {
    throw new AccessError(`${option} is longer than ${MAX_TEXT_LENGTH} characters`, { code: 'bad_request' });
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(t)) {
    throw new AccessError(`${option} must be one line of text`, { code: 'bad_request' });
  }
  // The log holds no personal data: no resident ID or mobile number in a purpose or reason.
  if (/\d{17}[\dXx]|(?<!\d)1[3-9]\d{9}(?!\d)/.test(t)) {
    throw new AccessError(`${option} looks like it holds an ID or a phone number`, {
      code: 'bad_request',
      hint: 'The audit log keeps no personal data: say what the data is for, not whom it is about.',
    });
  }
  return t;
}

/** A date (YYYY-MM-DD) after today (UTC) and at most MAX_GRANT_DAYS days ahead. */
export function checkUntil(text: string | undefined, now: Date, option: string): string {
  const t = (text ?? '').trim();
  if (!t) {
    throw new AccessError(`${option} is required`, {
      code: 'bad_request',
      hint: `Give the last day access is needed, YYYY-MM-DD, at most ${MAX_GRANT_DAYS} days ahead.`,
    });
  }
  const d = new Date(`${t}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(t) || Number.isNaN(d.getTime()) || utcDate(d) !== t) {
    throw new AccessError(`${option} ${t} is not a date written YYYY-MM-DD`, { code: 'bad_request' });
  }
  const today = utcDate(now);
  if (t <= today) {
    throw new AccessError(`${option} ${t} is not in the future (today is ${today} UTC)`, {
      code: 'bad_request',
    });
  }
  const latest = new Date(`${today}T00:00:00Z`);
  latest.setUTCDate(latest.getUTCDate() + MAX_GRANT_DAYS);
  if (t > utcDate(latest)) {
    throw new AccessError(`${option} ${t} is more than ${MAX_GRANT_DAYS} days ahead`, {
      code: 'bad_request',
      hint: `A grant lasts at most ${MAX_GRANT_DAYS} days (until ${utcDate(latest)}); ask again before it ends.`,
    });
  }
  return t;
}
