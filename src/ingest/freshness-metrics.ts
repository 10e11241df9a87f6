/**
 * The freshness check's metric and environment: the names the scheduled Lambda (lambdas/freshness) emits
 * and reads, and the stack sets and alarms on (lib/monitoring/freshness-check.ts). One place, so they
 * cannot drift apart. The metric shares the transformer's namespace and per-department dimension.
 */
import { DEPARTMENT_DIMENSION, TRANSFORMER_METRICS_NAMESPACE } from './metrics.ts';

/** Powertools metric namespace: the lake's one namespace. */
export const FRESHNESS_METRICS_NAMESPACE = TRANSFORMER_METRICS_NAMESPACE;
/** Powertools service name of the freshness check (the `service` dimension of its metric). */
export const FRESHNESS_SERVICE_NAME = 'lake-freshness';
/** The dimension the metric is published per: the department id. */
export const FRESHNESS_DIMENSION = DEPARTMENT_DIMENSION;
/** Datasets of a department that missed their update frequency (src/lake/freshness.ts), per check. */
export const OVERDUE_DATASETS_METRIC = 'OverdueDatasets';

/** The function's environment. */
export const FRESHNESS_ENV = {
  /** Bucket holding reports/<department>/<dataset>/<uploadId>.json (the quarantine bucket). */
  reportsBucket: 'LAKE_REPORTS_BUCKET',
  /** The contracts bundle beside the handler (src/ingest/contracts-bundle.ts). */
  contractsFile: 'LAKE_CONTRACTS_FILE',
} as const;
