/**
 * The portal API's errors, as the CLI's `--json` prints them: `{ error: { code, message, hint } }`, each
 * naming what it is about and what to do. A CliError from the shared backend keeps its code and hint.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AccessError, httpStatus } from '../access/errors.ts';
import { CliError } from '../cli/errors.ts';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  opts: { hint?: string } = {},
) {
  return c.json({ error: { code, message, ...(opts.hint ? { hint: opts.hint } : {}) } }, status);
}

/** The status of a backend error: unknown things 404, refusals 403, the rest of a user's making 400. */
function statusOf(code: string | undefined): ContentfulStatusCode {
  if (!code) return 400;
  if (/^unknown_|not_found/.test(code)) return 404;
  if (/denied|forbidden|not_allowed|no_grant|refused/.test(code)) return 403;
  return 400;
}

/** The response for an error thrown by a handler (an unexpected one says only that it happened). */
export function errorResponse(c: Context, e: unknown) {
  if (e instanceof ApiError) return apiError(c, e.status, e.code, e.message, { hint: e.hint });
  if (e instanceof AccessError)
    return apiError(c, httpStatus(e.code) as ContentfulStatusCode, e.code, e.message, { hint: e.hint });
  if (e instanceof CliError)
    return apiError(c, statusOf(e.code), e.code ?? 'failure', e.message, { hint: e.hint });
  const name = (e as Error)?.name ?? '';
  if (/Access|Denied|Forbidden/.test(name))
    return apiError(c, 403, 'access_denied', (e as Error).message, {
      hint: 'Request access to the dataset from its catalogue page.',
    });
  return apiError(c, 500, 'failure', 'the portal could not answer this request', {
    hint: 'Try again; if it keeps failing, tell whoever runs the portal when it happened: its log (the terminal running `lake serve`, or the portal API function’s log when deployed) records the failure.',
  });
}
