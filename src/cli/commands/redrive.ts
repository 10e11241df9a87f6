/** `lake redrive`: after a fix, send the uploads that failed for good back to the transformer. */
import type { Command } from '../command.ts';
import { LAKE_GLOBALS } from '../command.ts';
import { EXIT } from '../errors.ts';

export const redriveCommand: Command = {
  name: 'redrive',
  summary: 'send the uploads that failed for good (the dead-letter queue) back to the transformer',
  usage: '',
  options: {},
  globals: LAKE_GLOBALS,
  async run(ctx) {
    // Locally every pending upload is processed again: a broken contract would reject its uploads.
    if ((await ctx.chooseLake()) === 'local') ctx.contracts({ every: true });
    const lake = await ctx.backend();
    const outcome = await lake.redrive();
    ctx.out.document(outcome);
    if (outcome.mode === 'aws') {
      ctx.out.line(
        outcome.messages === 0
          ? 'the dead-letter queue is empty: nothing to send back'
          : `moving ${outcome.messages} message(s) from the dead-letter queue back to the ingestion queue (task ${outcome.taskHandle}); \`lake status\` shows their reports as they come`,
      );
      return EXIT.ok;
    }
    if (outcome.resubmitted.length === 0) {
      ctx.out.line('every upload in the local lake has its report: nothing to send back');
      return EXIT.ok;
    }
    ctx.out.line(`sent back ${outcome.resubmitted.length} upload(s) without a report:`);
    for (const key of outcome.resubmitted) ctx.out.line(`  ${key}`);
    ctx.out.line('`lake status` shows their reports');
    return EXIT.ok;
  },
};
