/**
 * The catalogue's defaults as plain values, without the contract schema: what reads a catalogue entry
 * (`lake catalog`, the AWS catalog, `lake --help`'s command table) loads no validation library for them.
 */

/** What an absent `sharing` means: sharing between departments is the rule. */
export const DEFAULT_SHARING = { type: 'unconditional' } as const;
