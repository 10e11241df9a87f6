/** `lake contract infer <file> --dataset d/x`: a draft contract from a sample file. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { InferError, type InferErrorCode } from '../../infer/infer-error.ts';
import type { Command } from '../command.ts';
import { contractPaths } from '../contract-paths.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { CliError, EXIT, type ExitCode } from '../errors.ts';
import { inputFile } from './files.ts';

/** The exit code of each reason a sample file cannot be read. */
const INFER_EXIT: Record<InferErrorCode, ExitCode> = {
  unknown_format: EXIT.usage,
  unreadable_file: EXIT.failure,
};

export const contractInferCommand: Command = {
  name: 'contract infer',
  summary: 'draft a contract from a sample file: types, header spellings, personal data',
  usage: '<file> --dataset <department>/<dataset> [--write] [--force]',
  options: {
    dataset: { type: 'string', help: '<department>/<dataset> the dataset the contract is for' },
    write: { type: 'boolean', help: 'write datasets/<department>/<dataset>.yaml instead of printing it' },
    force: { type: 'boolean', help: 'with --write, replace an existing contract' },
    sample: { type: 'string', help: '<rows> rows to sample (default 5000)' },
  },
  globals: ['json', 'datasets'],
  details: [
    "The draft names each column (a known header's usual name, else the header in pinyin, the header kept as",
    'title and spelling), guesses types and number forms (groupChar, bareNumber, day numbers of a workbook),',
    'finds the header below title rows, and proposes skipRows for totals and footnotes; its notes say why.',
    'Only a person can tell what the data means: the loader refuses the draft until its description is written.',
  ].join('\n'),
  async run(ctx, positionals, values) {
    const path = inputFile(ctx.io.cwd, positionals[0], 'contract infer');
    const ref = parseDatasetRef(values.dataset as string | undefined);
    const sample = values.sample === undefined ? undefined : Number(values.sample);
    const { inferContract } = await import('../../infer/infer-contract.ts');
    const result = await inferContract(path, ref, sample).catch((e: unknown) => {
      if (!(e instanceof InferError)) throw e;
      throw new CliError(e.message, {
        hint: e.hint,
        exitCode: INFER_EXIT[e.code],
        code: e.code,
        cause: e.cause,
      });
    });
    const notes = [
      ...result.notes.map((n) => `format: ${n}`),
      ...result.fields.flatMap((f) => f.notes.map((n) => `${f.field.name}: ${n}`)),
    ];
    let written: string | null = null;
    if (values.write) {
      const target = join(
        contractPaths(ctx.io.cwd, ctx.options.datasets).datasetsDir,
        ref.department,
        `${ref.dataset}.yaml`,
      );
      if (existsSync(target) && !values.force) {
        throw new CliError(`${relative(ctx.io.cwd, target)} already exists`, {
          hint: 'Compare with the printed draft (run without --write), or pass --force to replace it.',
          exitCode: EXIT.usage,
          code: 'contract_exists',
        });
      }
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, result.yaml);
      written = relative(ctx.io.cwd, target);
    }
    ctx.out.document({
      dataset: `${ref.department}/${ref.dataset}`,
      format: result.format,
      encoding: result.encoding,
      rowsSampled: result.rowsSampled,
      contract: result.contract,
      yaml: result.yaml,
      notes,
      written,
    });
    if (!ctx.out.json) {
      if (written) {
        ctx.out.line(
          `wrote ${written} (${result.fields.length} fields from ${result.rowsSampled} sampled rows)`,
        );
        for (const n of notes) ctx.out.line(ctx.out.style(`  ${n}`, 'dim'));
        ctx.out.line(
          `Write its description and review it, then: npx lake validate ${relative(ctx.io.cwd, path)} --dataset ${ref.department}/${ref.dataset}`,
        );
      } else {
        ctx.io.stdout.write(result.yaml);
      }
    }
    return EXIT.ok;
  },
};
