/** Errors of the access-request flow, each with a code (for --json, the API) and advice. */
export type AccessErrorCode =
  | 'bad_principal'
  | 'bad_request'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'not_shared'
  | 'no_request_needed'
  | 'personal_columns';

export class AccessError extends Error {
  readonly code: AccessErrorCode;
  readonly hint?: string;
  constructor(message: string, opts: { code: AccessErrorCode; hint?: string; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'AccessError';
    this.code = opts.code;
    this.hint = opts.hint;
  }
}

/** The HTTP status of an AccessError (the API's). */
export function httpStatus(code: AccessErrorCode): number {
  switch (code) {
    case 'not_found':
      return 404;
    case 'forbidden':
      return 403;
    case 'conflict':
      return 409;
    default:
      return 400;
  }
}
