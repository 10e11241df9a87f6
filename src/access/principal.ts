/**
 * Who acts on the local lake (`--as <principal>` or LAKE_AS): a department's data steward (who approves
 * requests for its datasets), a government analyst of a department, or an enterprise outside the
 * government. Without one, the local CLI acts as the lake's operator and sees everything as published.
 */
import { ID_PATTERN } from '../contracts/id-pattern.ts';
import { AccessError } from './errors.ts';

export const PRINCIPAL_KINDS = ['steward', 'analyst', 'enterprise'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export interface Principal {
  kind: PrincipalKind;
  /** The department (steward, analyst) or the enterprise's name. */
  id: string;
}

export const PRINCIPAL_FORMS = 'steward:<department>, analyst:<department> or enterprise:<name>';

/** `analyst:health` as a Principal; the department must be one of `departments`. */
export function parsePrincipal(text: string, departments: readonly string[]): Principal {
  const m = /^(steward|analyst|enterprise):([^:\s]+)$/.exec(text.trim());
  if (!m || !ID_PATTERN.test(m[2])) {
    throw new AccessError(`"${text}" is not a principal`, {
      hint: `Act as ${PRINCIPAL_FORMS} (lowercase ids), e.g. --as analyst:health.`,
      code: 'bad_principal',
    });
  }
  const kind = m[1] as PrincipalKind;
  if (kind !== 'enterprise' && !departments.includes(m[2])) {
    throw new AccessError(`department "${m[2]}" of --as ${text} is not declared in departments.yaml`, {
      hint: `Declared departments: ${departments.join(', ')}.`,
      code: 'bad_principal',
    });
  }
  return { kind, id: m[2] };
}

export function principalText(p: Principal): string {
  return `${p.kind}:${p.id}`;
}

/** The department a government principal belongs to; null for an enterprise. */
export function departmentOf(p: Principal): string | null {
  return p.kind === 'enterprise' ? null : p.id;
}
