/**
 * The `lake` executable: runs the command line in this process, with Ctrl-C (or SIGTERM) asking the
 * running command to stop cleanly; a second Ctrl-C exits at once.
 */
import { processIo } from './output.ts';
import { run } from './run.ts';

// The SDK's notice about its future Node.js versions is not the lake user's business on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that goes away (`lake status | head`) ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const controller = new AbortController();
let interrupted = false;
const stop = () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

process.exitCode = await run(process.argv.slice(2), processIo(controller.signal));
process.off('SIGINT', stop);
process.off('SIGTERM', stop);
