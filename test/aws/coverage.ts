/**
 * What the AWS suite covered, printed at its end: the requests made (by service and action), the stacks
 * and how each of their resources came to exist, the uploads processed end to end, and what moto could
 * not do, each with the test that covers that part instead.
 */

export interface ResourceFate {
  stack: string;
  id: string;
  type: string;
  /** `cloudformation`, `api: <call>`, or `not created`. */
  how: string;
  coveredBy?: string;
}

export class Coverage {
  readonly resources: ResourceFate[] = [];
  readonly bucketCalls: { stack: string; id: string; calls: string[] }[] = [];
  readonly gaps: { what: string; coveredBy: string }[] = [];
  readonly uploads: { key: string; status: string; rows: string }[] = [];
  readonly commands: string[] = [];
  readonly phases: { what: string; ms: number }[] = [];

  /** How long a set-up step took (printed, never asserted). */
  phase(what: string, ms: number): void {
    this.phases.push({ what, ms });
  }

  resource(stack: string, id: string, type: string, how: string): void {
    this.resources.push({ stack, id, type, how });
  }

  notCreated(stack: string, id: string, type: string, coveredBy: string): void {
    this.resources.push({ stack, id, type, how: 'not created', coveredBy });
  }

  notApplied(what: string, coveredBy: string): void {
    this.gaps.push({ what: `${what} not applied`, coveredBy });
  }

  bucketSettings(stack: string, id: string, calls: string[]): void {
    this.bucketCalls.push({ stack, id, calls });
  }

  /** Something moto cannot do, and the test that covers it instead. */
  gap(what: string, coveredBy: string): void {
    this.gaps.push({ what, coveredBy });
  }

  upload(key: string, status: string, rows: { total: number; accepted: number; rejected: number }): void {
    this.uploads.push({ key, status, rows: `${rows.accepted}/${rows.total} accepted` });
  }

  command(line: string): void {
    this.commands.push(line);
  }

  /** The summary, as text. */
  render(requests: Map<string, number>): string {
    const lines: string[] = ['', '── AWS suite on moto: what was covered ──'];
    const total = [...requests.values()].reduce((a, b) => a + b, 0);
    lines.push(`requests made to moto: ${total}`);
    for (const [name, n] of [...requests].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
      lines.push(`  ${String(n).padStart(5)}  ${name}`);
    for (const p of this.phases) lines.push(`${p.what}: ${(p.ms / 1000).toFixed(1)} s`);
    const stacks = [...new Set(this.resources.map((r) => r.stack))];
    const count = (test: (how: string) => boolean) => this.resources.filter((r) => test(r.how)).length;
    lines.push(
      `stacks deployed: ${stacks.length}, resources: ${this.resources.length} ` +
        `(${count((h) => h === 'cloudformation')} by CloudFormation, ${count((h) => h.startsWith('api'))} ` +
        `created from the templates by API, ${count((h) => h === 'not created')} not created)`,
    );
    for (const stack of stacks) {
      const mine = this.resources.filter((r) => r.stack === stack);
      const byHow = new Map<string, Map<string, number>>();
      for (const r of mine) {
        const key = r.how.startsWith('api') ? 'created from the template by API' : r.how;
        const types = byHow.get(key) ?? new Map<string, number>();
        types.set(r.type, (types.get(r.type) ?? 0) + 1);
        byHow.set(key, types);
      }
      lines.push(`  ${stack}: ${mine.length} resources`);
      for (const [how, types] of byHow) {
        const list = [...types].map(([t, n]) => `${t.replace('AWS::', '')} ×${n}`).join(', ');
        lines.push(`    ${how}: ${list}`);
      }
    }
    const settings = this.bucketCalls.flatMap((b) => b.calls);
    lines.push(`bucket settings moto's CloudFormation ignores, applied by API: ${settings.length} calls`);
    lines.push(`commands run: ${this.commands.length}`);
    for (const c of this.commands) lines.push(`  lake ${c}`);
    lines.push(`uploads processed end to end: ${this.uploads.length}`);
    for (const u of this.uploads) lines.push(`  ${u.key}  ${u.status}  ${u.rows}`);
    lines.push('what moto could not do, and what covers it instead:');
    const byApi = [...new Set(this.resources.filter((r) => r.how.startsWith('api')).map((r) => r.type))];
    if (byApi.length > 0)
      lines.push(
        `  its CloudFormation lacks ${byApi.map((t) => t.replace('AWS::', '')).join(', ')} → each created from its template properties by the API call CloudFormation would make (test/aws/template-resources.ts)`,
      );
    const notCreated = new Map<string, string>();
    for (const r of this.resources) if (r.how === 'not created') notCreated.set(r.type, r.coveredBy ?? '');
    for (const [type, by] of notCreated) lines.push(`  ${type} (not created) → ${by}`);
    const seen = new Set<string>();
    for (const g of this.gaps) {
      if (seen.has(g.what)) continue;
      seen.add(g.what);
      lines.push(`  ${g.what} → ${g.coveredBy}`);
    }
    return lines.join('\n');
  }
}
