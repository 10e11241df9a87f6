/**
 * The transformer's metrics: names, namespace, service and dimension, read by the Lambda that emits them
 * and by the stack that sets the function's environment and alarms on them. One place, so they cannot
 * drift apart.
 */

/** Powertools metric namespace of the transformer. */
export const TRANSFORMER_METRICS_NAMESPACE = 'PublicDataLake';
/** Powertools service name of the transformer (the `service` dimension of its metrics). */
export const TRANSFORMER_SERVICE_NAME = 'lake-transformer';
/** The dimension every metric is published per. */
export const DEPARTMENT_DIMENSION = 'department';

/** The metrics the transformer emits for each upload. */
export const TRANSFORMER_METRICS = {
  rowsAccepted: 'RowsAccepted',
  rowsRejected: 'RowsRejected',
  filesRejected: 'FilesRejected',
} as const;
