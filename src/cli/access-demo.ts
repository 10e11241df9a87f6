/**
 * Sharing in `lake demo` (the lead calls it from src/cli/commands/demo.ts): another department's analyst
 * queries a conditional dataset and is refused, asks for it, the owning department's steward approves,
 * the same query answers, and the steward revokes the grant (so a demo run again starts the same way).
 *
 *   const sharing = await showSharing(out, { lakeDir: ctx.lakeDir, contracts, cwd: ctx.io.cwd, indent: '   ' });
 *
 * Lines go through the demo's Output (nothing in JSON mode); the returned summary is JSON-able for the
 * demo's document.
 */
import { localAccessService, localActor } from '../access/local.ts';
import { utcDate } from '../access/model.ts';
import { printResult } from './commands/query.ts';
import type { ContractSet } from './contracts.ts';
import { CliError } from './errors.ts';
import { LocalBackend } from './local-backend.ts';
import type { Output } from './output.ts';
import { silentProgress as quiet } from './progress.ts';

/** The dataset, the requester and its steward of the demo. */
export const SHARING_DEMO = {
  dataset: 'civil_affairs/assistance_payments',
  requester: 'analyst:health',
  steward: 'steward:civil_affairs',
  columns: ['program', 'amount'],
  purpose: 'assistance totals by programme for the health-poverty report',
  sql: 'SELECT program, count(*) AS payments, sum(amount) AS total FROM civil_affairs.assistance_payments GROUP BY program ORDER BY total DESC',
  /** Days the demo's grant is asked for. */
  days: 30,
} as const;

export interface SharingDemo {
  refused: { code: string; message: string; hint?: string };
  request: string;
  approvedUntil: string | null;
  rows: number;
  revoked: boolean;
}

export async function showSharing(
  out: Output,
  opts: { lakeDir: string; contracts: ContractSet; cwd: string; indent?: string; now?: () => Date },
): Promise<SharingDemo> {
  const i = opts.indent ?? '';
  const d = SHARING_DEMO;
  const departments = opts.contracts.departments.map((x) => x.id);
  const service = localAccessService({
    lakeDir: opts.lakeDir,
    contracts: opts.contracts.datasets,
    now: opts.now,
  });
  const analyst = localActor(d.requester, departments);
  const steward = localActor(d.steward, departments);
  const asAnalyst = async <T>(fn: (lake: LocalBackend) => Promise<T>): Promise<T> => {
    const lake = await LocalBackend.open({
      lakeDir: opts.lakeDir,
      contracts: opts.contracts,
      cwd: opts.cwd,
      start: 'when-needed',
      access: { actor: analyst, service },
    });
    try {
      return await fn(lake);
    } finally {
      await lake.close();
    }
  };

  out.line(`${i}${out.style(`a. ${d.requester} queries ${d.dataset} (sharing: conditional)`, 'bold')}`);
  let refused: SharingDemo['refused'];
  try {
    await asAnalyst((lake) => lake.query(d.sql, quiet));
    throw new Error(`${d.requester} read ${d.dataset} without a grant`);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    refused = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    out.line(`${i}   ${out.style(`refused: ${e.message}`, 'yellow')}`);
  }

  const until = new Date((opts.now ?? (() => new Date()))());
  until.setUTCDate(until.getUTCDate() + d.days);
  out.line(`${i}${out.style(`b. ${d.requester} asks for ${d.columns.join(', ')}`, 'bold')}`);
  out.line(
    out.style(
      `${i}   lake access request ${d.dataset} --columns ${d.columns.join(',')} --until ${utcDate(until)} --purpose "${d.purpose}" --as ${d.requester}`,
      'dim',
    ),
  );
  const request = await service.request(analyst, {
    dataset: d.dataset,
    purpose: d.purpose,
    until: utcDate(until),
    columns: [...d.columns],
  });
  out.line(`${i}   ${request.id} pending: ${request.department}'s steward decides`);

  out.line(`${i}${out.style(`c. ${d.steward} approves`, 'bold')}`);
  out.line(out.style(`${i}   lake access approve ${request.id} --as ${d.steward}`, 'dim'));
  const approved = await service.approve(steward, request.id);
  out.line(
    `${i}   ${request.id} approved until ${approved.request.until} (a Lake Formation grant when deployed)`,
  );

  out.line(`${i}${out.style(`d. the same query, now answered (the granted columns only)`, 'bold')}`);
  const r = await asAnalyst((lake) => lake.query(d.sql, quiet));
  printResult(out, r, 10, `${i}   `);

  out.line(
    `${i}${out.style(`e. ${d.steward} revokes; the grant would otherwise end by itself after ${approved.request.until}`, 'bold')}`,
  );
  const revoked = await service.revoke(steward, request.id, 'demo over');
  out.line(`${i}   ${request.id} ${revoked.request.status}; \`lake access log\` keeps every step`);
  return {
    refused,
    request: request.id,
    approvedUntil: approved.request.until,
    rows: r.rows.length,
    revoked: revoked.changed,
  };
}
