/** Why a sample file could not be read to draft a contract from it. */

/** `unknown_format`: the file name does not say its format; `unreadable_file`: the engine could not read it. */
export type InferErrorCode = 'unknown_format' | 'unreadable_file';

export class InferError extends Error {
  readonly code: InferErrorCode;
  /** What to do about it. */
  readonly hint: string;

  constructor(code: InferErrorCode, message: string, hint: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'InferError';
    this.code = code;
    this.hint = hint;
  }
}
