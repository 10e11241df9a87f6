/**
 * `lake sql` as an identity reads the grants again for every statement: a grant revoked while the shell
 * is open takes the table away from the next statement, not only from the next command.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AccessRequest } from '../../src/access/index.ts';
import { lake, tempLakeDir } from './helpers.ts';

let dir: string;
let remove: () => Promise<void>;
const env = { LAKE_NOW: '2026-12-01T09:00:00Z' };
const as = (who: string, args: string[]) =>
  lake([...args, '--lake-dir', dir, '--json', '--as', who], { env });
const PAYMENTS = 'civil_affairs.assistance_payments';
let id: string;

beforeAll(async () => {
  ({ dir, remove } = await tempLakeDir());
  const ingest = await lake([
    'ingest',
    'examples/civil_affairs/assistance_payments/assistance-payments-2026-09.csv',
    '--dataset',
    'civil_affairs/assistance_payments',
    '--lake-dir',
    dir,
  ]);
  expect(ingest.code, ingest.stderr).toBe(0);
  const request = await as('analyst:health', [
    'access',
    'request',
    'civil_affairs/assistance_payments',
    '--purpose',
    'county totals',
    '--until',
    '2027-01-31',
    '--columns',
    'county_code,amount',
  ]);
  expect(request.code, request.stderr).toBe(0);
  id = request.json<{ request: AccessRequest }>().request.id;
  expect((await as('steward:civil_affairs', ['access', 'approve', id])).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await remove();
});

it('takes a table away from the next statement once its grant is revoked', async () => {
  let printed = '';
  let answered: () => void = () => {};
  const firstAnswer = new Promise<void>((resolve) => {
    answered = resolve;
  });
  async function* statements() {
    yield `SELECT count(*) AS n FROM ${PAYMENTS};\n`;
    await firstAnswer;
    const revoke = await as('steward:civil_affairs', ['access', 'revoke', id, '--reason', 'report done']);
    expect(revoke.code, revoke.stderr).toBe(0);
    yield `SELECT count(*) AS n FROM ${PAYMENTS};\n`;
  }
  const r = await lake(['sql', '--lake-dir', dir, '--as', 'analyst:health'], {
    env,
    stdin: statements(),
    onStdout: (text) => {
      printed += text;
      if (/\d+ rows? in \d+ ms/.test(printed)) answered();
    },
  });
  // The first statement counted the granted rows; the second was refused, saying how to ask again.
  expect(r.stdout).toMatch(/^ *n\n─+\n *[1-9]\d*\n1 row in \d+ ms\n$/m);
  expect(r.stdout.match(/row(s)? in \d+ ms/g)).toHaveLength(1);
  expect(r.stderr).toContain(`${PAYMENTS} is not there for analyst:health`);
  expect(r.stderr).toContain('lake access request civil_affairs/assistance_payments');
  expect(r.code).toBe(1);
});
