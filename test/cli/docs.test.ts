/** docs/cli.md says what the code does: its commands, exit codes and defaults come from the constants. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS } from '../../src/cli/command.ts';
import { DEFAULT_EXAMPLES_DIR } from '../../src/cli/commands/demo.ts';
import { DEFAULT_UP_PORT } from '../../src/cli/commands/up.ts';
import { EXIT } from '../../src/cli/errors.ts';
import { COMMANDS } from '../../src/cli/run.ts';
import { UPLOAD_PART_BYTES } from '../../src/cli/upload-file.ts';
import { DEFAULT_LAKE_DIR } from '../../src/local/lake-dir.ts';
import { ROOT } from './helpers.ts';

const doc = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');

describe('docs/cli.md', () => {
  it('lists every command', () => {
    for (const c of COMMANDS) expect(doc).toContain(`| \`lake ${c.name}`);
  });

  it("names every command's options and the common ones", () => {
    const missing = COMMANDS.flatMap((c) =>
      Object.keys(c.options)
        .filter((o) => !doc.includes(`--${o}`))
        .map((o) => `lake ${c.name} --${o}`),
    );
    for (const o of Object.keys(GLOBAL_OPTIONS)) if (!doc.includes(`--${o}`)) missing.push(`--${o}`);
    expect(missing).toEqual([]);
  });

  it('gives every exit code its meaning', () => {
    for (const code of Object.values(EXIT)) expect(doc).toMatch(new RegExp(`^\\| ${code} \\| \\S`, 'm'));
  });

  it('states the defaults the code has', () => {
    expect(doc).toContain(`http://127.0.0.1:${DEFAULT_UP_PORT}`);
    expect(doc).toContain(`multipart above ${UPLOAD_PART_BYTES / 1024 / 1024} MiB`);
    expect(doc).toContain(`state is in \`${DEFAULT_LAKE_DIR}/\``);
    expect(doc).toContain(`example files of five departments (\`${DEFAULT_EXAMPLES_DIR}/\`)`);
  });
});
