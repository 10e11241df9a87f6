/**
 * The endpoint settings the SDK does not act on by itself, read the same way by the CLI and the
 * transformer. The SDK reads `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` on its own; what it does
 * not do is address S3 path-style (`https://host/bucket/key`) on such an endpoint, which a private or
 * local endpoint seldom answers as `bucket.host`. Path-style applies when an S3 endpoint is set, or when
 * `AWS_S3_FORCE_PATH_STYLE=true`; `AWS_S3_FORCE_PATH_STYLE=false` turns it off.
 */

/** The variable that forces (`true`) or forbids (`false`) path-style S3 addressing. */
export const S3_PATH_STYLE_ENV = 'AWS_S3_FORCE_PATH_STYLE';

export type Env = Record<string, string | undefined>;

/** True when an endpoint is set for the service (`AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`). */
export function endpointSet(env: Env, service: 'S3' | 'SQS'): boolean {
  return Boolean(env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL);
}

/** Path-style S3: forced or forbidden by AWS_S3_FORCE_PATH_STYLE, else whenever an S3 endpoint is set. */
export function s3PathStyle(env: Env): boolean {
  const flag = env[S3_PATH_STYLE_ENV]?.trim().toLowerCase();
  if (flag === 'true' || flag === '1') return true;
  if (flag === 'false' || flag === '0') return false;
  return endpointSet(env, 'S3');
}
