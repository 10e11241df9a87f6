/** The sharing part of the demo (showSharing): refused, asked, approved, answered, revoked. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showSharing } from '../../src/cli/access-demo.ts';
import { contractPaths } from '../../src/cli/contract-paths.ts';
import { loadContractSet } from '../../src/cli/contracts.ts';
import { Output } from '../../src/cli/output.ts';
import { lake, ROOT, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  const r = await lake([
    'ingest',
    'examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv',
    '--dataset',
    'civil_affairs/assistance_payments',
    '--lake-dir',
    dir,
  ]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await remove();
});

describe('showSharing', () => {
  it('shows a refused query, a request, an approval, the answer and the revocation', async () => {
    const chunks: string[] = [];
    const out = new Output({
      stdout: { write: (s: string) => chunks.push(s) },
      stderr: { write: () => true },
      env: {},
      cwd: ROOT,
    });
    const contracts = loadContractSet(contractPaths(ROOT, undefined, undefined), ROOT);
    const summary = await showSharing(out, { lakeDir: dir, contracts, cwd: ROOT, indent: '   ' });
    const text = chunks.join('');
    expect(summary.refused.code).toBe('access_denied');
    expect(summary.rows).toBeGreaterThan(0);
    expect(summary.revoked).toBe(true);
    expect(text).toContain('refused: civil_affairs.assistance_payments is not there for analyst:health');
    expect(text).toContain(`lake access approve ${summary.request} --as steward:civil_affairs`);
    expect(text).toContain('城市最低生活保障');
    // Run again: the grant is gone, the demo starts the same way.
    const again = await showSharing(out, { lakeDir: dir, contracts, cwd: ROOT });
    expect(again.refused.code).toBe('access_denied');
  });
});
