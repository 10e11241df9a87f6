/**
 * A steward's upload in steps (upload.ts), the same routes over the local and the deployed lake:
 *
 * - `POST /api/datasets/:department/:name/uploads/start` `{ fileName, bytes }`: the plan (part URLs,
 *   and the complete and abort routes of the upload);
 * - `PUT  …/uploads/:uploadId/parts/:partNumber`: one part (local only; deployed, parts go to S3);
 * - `POST …/uploads/:uploadId/complete` `{ fileName, parts }`: `{ receipt, report }` (the poll route);
 * - `POST …/uploads/:uploadId/abort` `{ fileName }`: the parts dropped;
 * - `GET  /api/datasets/:department/:name/receipts/:receipt`: `{ status: 'processing' }` until the
 *   transformer wrote the report, then `{ status: 'done', uploadId }` (the report page's id).
 *
 * Only the department's steward uploads to its datasets: a steward of another department is refused.
 */
import type { Context, Hono } from 'hono';
import type { DatasetRef } from '../lake/layout.ts';
import { ApiError } from './api-error.ts';
import { type PortalEnv, signedIn } from './env.ts';
import type { PortalServices } from './services.ts';
import { fileNameOf, receiptOf, sentParts, startRequest } from './upload.ts';

const UPLOADS = '/api/datasets/:department/:name/uploads';

/** The request's JSON body, or a 400 naming the route. */
async function jsonBody(c: Context<PortalEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError(
      400,
      'bad_request',
      `${c.req.method} ${c.req.routePath} needs a JSON body`,
      'Send the fields the portal API documents (docs/portal.md) as JSON.',
    );
  }
}

export function uploadRoutes(app: Hono<PortalEnv>, s: PortalServices): void {
  /** The dataset of the path, when the signed-in steward's department owns it. */
  function ownDataset(c: Context<PortalEnv>): DatasetRef {
    const who = signedIn(c.get('who'), ['steward']);
    const ref = { department: c.req.param('department') ?? '', dataset: c.req.param('name') ?? '' };
    const key = `${ref.department}/${ref.dataset}`;
    if (!s.contracts.datasets.has(key))
      throw new ApiError(
        404,
        'unknown_dataset',
        `there is no dataset ${key}`,
        'Pick one of your department’s datasets.',
      );
    if (ref.department !== who.id)
      throw new ApiError(
        403,
        'not_your_department',
        `${key} belongs to ${ref.department}; steward:${who.id} uploads to ${who.id}'s datasets only`,
        `Ask a steward of ${ref.department} to upload it, or pick one of your department’s datasets.`,
      );
    return ref;
  }

  app.post(`${UPLOADS}/start`, async (c) => {
    const ref = ownDataset(c);
    const file = startRequest(await jsonBody(c), ref);
    const plan = await s.uploads.start(ref, file);
    const at = `/api/datasets/${ref.department}/${ref.dataset}/uploads/${encodeURIComponent(plan.uploadId)}`;
    return c.json({ ...plan, complete: `${at}/complete`, abort: `${at}/abort` });
  });

  app.put(`${UPLOADS}/:uploadId/parts/:partNumber`, async (c) => {
    const ref = ownDataset(c);
    if (!s.uploads.putPart)
      throw new ApiError(
        404,
        'parts_go_to_storage',
        'this portal takes no parts: they go straight to the landing bucket',
        'PUT each part to the URL the start route answered for it.',
      );
    const etag = await s.uploads.putPart(
      ref,
      c.req.param('uploadId'),
      Number(c.req.param('partNumber')),
      c.req.raw.body,
    );
    c.header('ETag', etag);
    return c.json({ etag });
  });

  app.post(`${UPLOADS}/:uploadId/complete`, async (c) => {
    const ref = ownDataset(c);
    const body = await jsonBody(c);
    const receipt = await s.uploads.complete(ref, c.req.param('uploadId'), fileNameOf(body), sentParts(body));
    return c.json({ receipt, report: `/api/datasets/${ref.department}/${ref.dataset}/receipts/${receipt}` });
  });

  app.post(`${UPLOADS}/:uploadId/abort`, async (c) => {
    const ref = ownDataset(c);
    await s.uploads.abort(ref, c.req.param('uploadId'), fileNameOf(await jsonBody(c)));
    return c.json({ aborted: true });
  });

  app.get('/api/datasets/:department/:name/receipts/:receipt', async (c) => {
    const ref = ownDataset(c);
    const uploadId = await s.uploads.reportOf(ref, receiptOf(c.req.param('receipt')));
    return c.json(uploadId ? { status: 'done', uploadId } : { status: 'processing' });
  });
}
