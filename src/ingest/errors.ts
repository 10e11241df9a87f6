/** Errors of the ingestion layer (configuration, contracts bundle, S3 plumbing). Bad files never raise these. */

export class IngestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestError';
  }
}

/** The function's environment or a secret is missing or malformed: fix the deployment, not the file. */
export class IngestConfigError extends IngestError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestConfigError';
  }
}

/** The contracts bundle cannot be read or does not hold valid contracts. */
export class ContractsBundleError extends IngestError {
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'ContractsBundleError';
    this.file = file;
  }
}
