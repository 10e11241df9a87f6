/** `lake validate <file> --dataset d/x`: the transform engine on a local file, nothing uploaded. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { landingKey } from '../../lake/layout.ts';
import type { Command } from '../command.ts';
import { parseDatasetRef } from '../dataset-ref.ts';
import { EXIT } from '../errors.ts';
import { createProgress } from '../progress.ts';
import { printReport } from '../report-view.ts';
import { ERRORS_OPTION, errorLimit } from './error-option.ts';
import { inputFile } from './files.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a file against its contract, offline: nothing is uploaded',
  usage: '<file> --dataset <department>/<dataset>',
  options: {
    dataset: { type: 'string', help: '<department>/<dataset> the contract to check against' },
    errors: ERRORS_OPTION,
  },
  globals: ['json', 'datasets', 'departments'],
  details:
    'Runs the same engine as the lake: decoding, parsing, every constraint, personal-data checks. Exit code 0 when the file would be accepted (or partly accepted), 3 when it would be rejected as a whole.',
  async run(ctx, positionals, values) {
    const path = inputFile(ctx.io.cwd, positionals[0], 'validate');
    const ref = parseDatasetRef(values.dataset as string | undefined);
    const limit = errorLimit(values);
    const contract = ctx.contract(ref);
    const { DEFAULT_MAX_ERRORS, transformFile } = await import('../../engine/transform.ts');
    const work = await mkdtemp(join(tmpdir(), 'lake-validate-'));
    const progress = createProgress(ctx.io.stderr, {
      enabled: !ctx.out.json,
      label: `validating ${basename(path)}`,
    });
    progress.phase(`validating ${basename(path)}`);
    try {
      const report = await transformFile({
        inputPath: path,
        contract,
        sourceKey: landingKey(ref, basename(path)),
        uploadId: 'validate',
        outDir: join(work, 'out'),
        // Nothing is published: any key hashes as well as the lake's for a check.
        hashKey: randomBytes(32),
        tempDir: work,
        // The report keeps as many errors as are asked for.
        maxErrors: limit === null ? Number.MAX_SAFE_INTEGER : Math.max(limit, DEFAULT_MAX_ERRORS),
      });
      progress.done();
      ctx.out.document(report);
      printReport(ctx.out, report, { errors: limit ?? Number.POSITIVE_INFINITY, outputs: false });
      return report.status === 'rejected' ? EXIT.rejected : EXIT.ok;
    } finally {
      progress.done();
      await rm(work, { recursive: true, force: true });
    }
  },
};
