/**
 * The steward's API (signed in as `steward:<department>`): upload a file to one of the department's
 * datasets in steps (routes-upload.ts), the department's upload history, one report with every rejected row
 * (as JSON and as CSV), withdraw, the overdue datasets, and the access-request inbox with its decisions.
 * Every route checks the department: a steward never sees or acts on another department's uploads or
 * requests (they answer 404, as if they did not exist).
 */
import type { Hono } from 'hono';
import type { Principal } from '../access/principal.ts';
import type { IngestReport } from '../engine/report.ts';
import { freshness, lastCountingUpload } from '../lake/freshness.ts';
import { ApiError } from './api-error.ts';
import { csvResponse } from './csv-response.ts';
import { type PortalEnv, signedIn } from './env.ts';
import { actorOf, decisionRoutes } from './routes-decisions.ts';
import { uploadRoutes } from './routes-upload.ts';
import type { PortalServices } from './services.ts';

/** Rejected rows the report page shows; the CSV has every one. */
export const REPORT_PAGE_ERRORS = 1000;
/** Uploads the history lists. */
export const HISTORY_LIMIT = 200;

export function stewardRoutes(app: Hono<PortalEnv>, s: PortalServices): void {
  const steward = (who: Principal | null) => signedIn(who, ['steward']);

  /** The report of an upload of the steward's department, else 404. */
  async function ownReport(who: Principal, id: string): Promise<IngestReport> {
    const report = await s.lake.report(id);
    if (!report || report.dataset.split('/')[0] !== who.id)
      throw new ApiError(
        404,
        'unknown_upload',
        `no upload "${id}" of ${who.id}`,
        'The upload history lists them.',
      );
    return report;
  }

  uploadRoutes(app, s);

  app.get('/api/uploads', async (c) => {
    const who = steward(c.get('who'));
    const uploads = await s.lake.uploads({ ref: { department: who.id }, limit: HISTORY_LIMIT });
    return c.json({ uploads });
  });

  app.get('/api/uploads/:id', async (c) => {
    const who = steward(c.get('who'));
    const report = await ownReport(who, c.req.param('id'));
    const total = report.rows.rejected + report.errors.filter((e) => e.line === null).length;
    const errors = s.lake.rejectedRows
      ? await s.lake.rejectedRows(report, REPORT_PAGE_ERRORS)
      : report.errors;
    return c.json({ report: { ...report, errors }, shownErrors: errors.length, rejectedRows: total });
  });

  app.get('/api/uploads/:id/errors.csv', async (c) => {
    const who = steward(c.get('who'));
    const report = await ownReport(who, c.req.param('id'));
    const errors = s.lake.rejectedRows ? await s.lake.rejectedRows(report, null) : report.errors;
    return csvResponse(
      c,
      `${report.uploadId}-errors.csv`,
      ['line', 'column', 'rule', 'message'],
      errors.map((e) => ({ line: e.line, column: e.column, rule: e.rule, message: e.message })),
    );
  });

  app.post('/api/uploads/:id/withdraw', async (c) => {
    const who = steward(c.get('who'));
    const report = await ownReport(who, c.req.param('id'));
    const body = (await c.req.json().catch(() => ({}))) as { reason?: unknown };
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    if (!reason)
      throw new ApiError(
        400,
        'bad_request',
        'a withdrawal needs a reason',
        'Say why the upload is taken back.',
      );
    const after = await s.lake.withdraw(report.uploadId, { reason });
    return c.json({ report: after });
  });

  app.get('/api/overdue', async (c) => {
    const who = steward(c.get('who'));
    const uploads = await s.lake.uploads({ ref: { department: who.id }, limit: Number.MAX_SAFE_INTEGER });
    const now = s.now();
    const datasets = [...s.contracts.datasets.values()]
      .filter((d) => d.department === who.id)
      .map((d) => {
        const key = `${d.department}/${d.name}`;
        const last = lastCountingUpload(uploads.filter((u) => u.dataset === key));
        return { dataset: key, title: d.title, ...freshness(d.updateFrequency, last, now) };
      });
    return c.json({ datasets });
  });

  app.get('/api/inbox', async (c) => {
    const who = steward(c.get('who'));
    const requests = await s.access.list(actorOf(who));
    return c.json({ requests: requests.filter((r) => r.department === who.id) });
  });

  decisionRoutes(app, s);
}
