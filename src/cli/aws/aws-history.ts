/**
 * A dataset's history on the deployed lake: `lake withdraw` as a request the transformer carries out, and
 * `lake erase` as the stack's erasure role.
 *
 * withdraw: the department's upload role writes landing/<department>/_requests/withdraw/<uploadId>.json
 * (the one place it may write), the transformer recognises it and withdraws the upload
 * (src/ingest/withdraw-request.ts), and the CLI waits for the report to show the withdrawal completed.
 *
 * erase: the caller (a lake admin) assumes the erasure role the stack outputs name; as that role the CLI
 * reads the protect: hash key and runs the same erasure as the local lake (src/ingest/erase.ts) against
 * the buckets, deleting raw's earlier versions past their governance retention. Files are read and
 * rewritten on the admin's machine, in a private temporary folder removed at the end.
 */
import { tmpdir } from 'node:os';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DatasetContract } from '../../contracts/schema.ts';
import type { IngestReport } from '../../engine/report.ts';
import { publishes } from '../../ingest/content-index.ts';
import type { ErasureReceipt } from '../../ingest/erase-receipt.ts';
import { parseHashKey } from '../../ingest/hash-key.ts';
import { readReport } from '../../ingest/report-store.ts';
import type { LakeBuckets } from '../../ingest/types.ts';
import { WITHDRAW_REQUEST_CONTENT_TYPE, withdrawRequestObject } from '../../ingest/withdraw-request.ts';
import type { LakeOutputs } from '../../lake/outputs.ts';
import type { EraseOptions } from '../backend.ts';
import { CliError, EXIT } from '../errors.ts';
import { erasureRefused, newErasureId } from '../local-history.ts';
import { openZoneOf } from './stack-outputs.ts';

/** How long `lake withdraw` waits for the transformer on the deployed lake. */
export const WITHDRAW_TIMEOUT_MS = 10 * 60 * 1000;

export interface DeployedWithdrawal {
  report: IngestReport;
  /** S3 as the department's upload role. */
  s3: S3Client;
  outputs: LakeOutputs;
  by: string;
  reason: string;
  pollMs: number;
  timeoutMs?: number;
}

/** Asks the transformer to withdraw an upload, and waits for its report to say it is done. */
export async function withdrawDeployed(w: DeployedWithdrawal): Promise<IngestReport> {
  const { report, s3, outputs } = w;
  if (report.withdrawal?.completedAt) return report;
  if (!report.withdrawal && !publishes(report)) {
    throw new CliError(
      `upload ${report.uploadId} is ${report.status}: none of its rows were published, so there is nothing to withdraw`,
      {
        hint: '`lake status` shows which uploads published rows; only those can be withdrawn.',
        code: 'not_published',
      },
    );
  }
  const [department, dataset] = report.dataset.split('/');
  const request = withdrawRequestObject({
    uploadId: report.uploadId,
    dataset: report.dataset,
    by: w.by,
    reason: w.reason,
    requestedAt: new Date().toISOString(),
  });
  // Written again when a withdrawal is under way: a new version is a new event, and the transformer
  // finishes what was cut short.
  await s3.send(
    new PutObjectCommand({
      Bucket: outputs.core.landingBucket,
      Key: request.key,
      Body: request.body,
      ContentType: WITHDRAW_REQUEST_CONTENT_TYPE,
    }),
  );
  const deadline = Date.now() + (w.timeoutMs ?? WITHDRAW_TIMEOUT_MS);
  for (;;) {
    const now = await readReport(s3, outputs.core.quarantineBucket, { department, dataset }, report.uploadId);
    if (now?.withdrawal?.completedAt) return now;
    if (Date.now() > deadline) {
      throw new CliError(`the transformer has not finished withdrawing upload ${report.uploadId} yet`, {
        hint: `The request is at s3://${outputs.core.landingBucket}/${request.key}; \`lake status\` shows the upload as withdrawing until it is done, and running \`lake withdraw\` again asks once more.`,
        code: 'withdraw_timeout',
      });
    }
    await new Promise((r) => setTimeout(r, w.pollMs));
  }
}

export interface DeployedErasure {
  request: EraseOptions;
  /** S3 and Secrets Manager as the erasure role. */
  s3: S3Client;
  secrets: SecretsManagerClient;
  outputs: LakeOutputs;
  contracts: ReadonlyMap<string, DatasetContract>;
  by: string;
}

/** The lake's buckets, as the outputs name them. */
export function bucketsOf(outputs: LakeOutputs): LakeBuckets {
  const c = outputs.core;
  return {
    landing: c.landingBucket,
    raw: c.rawBucket,
    curated: c.curatedBucket,
    quarantine: c.quarantineBucket,
    open: openZoneOf(outputs),
  };
}

/** Erases a person or a row key from the deployed lake, as the erasure role. */
export async function eraseDeployed(e: DeployedErasure): Promise<ErasureReceipt> {
  const secret = await e.secrets.send(
    new GetSecretValueCommand({ SecretId: e.outputs.core.hashKeySecretArn }),
  );
  if (!secret.SecretString) throw new CliError('the hash key secret has no value', { exitCode: EXIT.config });
  const hashKey = parseHashKey(secret.SecretString, 'the protect: hash key secret');
  const { eraseSubject } = await import('../../ingest/erase.ts');
  const { ErasureError } = await import('../../ingest/erase-subject.ts');
  try {
    return await eraseSubject(
      {
        s3: e.s3,
        buckets: bucketsOf(e.outputs),
        contracts: e.contracts,
        hashKey,
        bypassGovernance: true,
        tmpDir: tmpdir(),
      },
      {
        requestId: e.request.requestId ?? newErasureId(),
        subject: e.request.subject,
        by: e.by,
        reason: e.request.reason,
      },
    );
  } catch (err) {
    if (err instanceof ErasureError) throw erasureRefused(err);
    throw err;
  }
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** `lake erase` on the deployed lake: the erasure role assumed, then eraseDeployed as that role. */
export async function eraseAsErasureRole(o: {
  request: EraseOptions;
  outputs: LakeOutputs;
  contracts: ReadonlyMap<string, DatasetContract> | null;
  region: string | undefined;
  by: string;
  s3(credentials: Credentials): S3Client;
  assume(role: string): Promise<Credentials>;
}): Promise<ErasureReceipt> {
  const role = o.outputs.core.erasureRoleArn;
  if (!role) {
    throw new CliError('the deployed lake has no erasure role in its outputs', {
      hint: 'Deploy the lake again (the core stack outputs ErasureRoleArn), then run lake erase.',
      exitCode: EXIT.config,
      code: 'no_erasure_role',
    });
  }
  if (!o.contracts) {
    throw new CliError('lake erase needs the dataset contracts', {
      hint: 'Run it in the project directory (datasets/ and departments.yaml), or pass --datasets <dir>.',
      exitCode: EXIT.config,
      code: 'no_contracts',
    });
  }
  const creds = await o.assume(role);
  const s3 = o.s3(creds);
  const secrets = new SecretsManagerClient({ region: o.region, credentials: creds });
  try {
    return await eraseDeployed({
      request: o.request,
      s3,
      secrets,
      outputs: o.outputs,
      contracts: o.contracts,
      by: o.by,
    });
  } finally {
    s3.destroy();
    secrets.destroy();
  }
}
