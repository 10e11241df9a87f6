import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { PERSONA_CLASSIFICATIONS } from '../../lib/access/tag-grants.ts';
import { ACCESS_MATRIX_DOC, renderAccessMatrix } from '../../scripts/render-access-matrix.ts';
import { ROOT } from '../cdk/helpers.ts';
import { ACCESS_MATRIX, type AccessExpectation } from './access-matrix.ts';
import { buildLfModel, lfAllowed } from './lake-formation-model.ts';
import { buildLakeModel, isAllowed, type LakeModel, toRequest } from './lake-model.ts';
import { ACCOUNT, PARTITION } from './resolve.ts';

interface Outcome {
  readonly row: AccessExpectation;
  readonly actual: boolean;
  /** The row holds: the stack gives what it promises, or, for a known hole, still the opposite. */
  readonly holds: boolean;
}

async function evaluateMatrix(model: LakeModel, rows: readonly AccessExpectation[]): Promise<Outcome[]> {
  const lf = buildLfModel(model.templates.values());
  const outcomes: Outcome[] = [];
  for (const row of rows) {
    // Lake Formation knows a principal by its role's ARN: a role of the stacks by its path and name.
    const role = model.principals.get(row.principal)?.arn.split(':role/')[1] ?? row.principal;
    const actual = row.resource.startsWith('lf:')
      ? lfAllowed(lf, role, row.action.replace(/^lakeformation:/, ''), row.resource)
      : await isAllowed(toRequest(model, row));
    outcomes.push({ row, actual, holds: actual === (row.hole ? !row.allowed : row.allowed) });
  }
  return outcomes;
}

const describeFailure = (o: Outcome) =>
  `${o.row.principal} ${o.row.action} ${o.row.resource}: expected ${o.row.hole ? 'hole (' : ''}${
    o.row.hole ? !o.row.allowed : o.row.allowed
  }${o.row.hole ? ')' : ''}, got ${o.actual}`;

describe('access matrix', () => {
  let model: LakeModel;
  beforeAll(() => {
    model = buildLakeModel();
  });

  it('has at least 60 expectations, none twice', () => {
    expect(ACCESS_MATRIX.length).toBeGreaterThanOrEqual(60);
    const keys = ACCESS_MATRIX.map((r) => `${r.principal}|${r.action}|${r.resource}`);
    expect(keys.length - new Set(keys).size).toBe(0);
  });

  it('holds for every principal, action and resource', async () => {
    const outcomes = await evaluateMatrix(model, ACCESS_MATRIX);
    const held = outcomes.filter((o) => o.holds).length;
    const holes = ACCESS_MATRIX.filter((r) => r.hole).length;
    console.log(
      `access matrix: ${held}/${outcomes.length} expectations held (${holes} of them known holes, see docs/access-matrix.md)`,
    );
    expect(outcomes.filter((o) => !o.holds).map(describeFailure)).toEqual([]);
  });

  it('fails when a department role is broadened with a wildcard', async () => {
    const broadened = buildLakeModel((lake) => {
      const role = lake.departmentStacks
        .flatMap((s) => s.node.findAll())
        .find(
          (c): c is iam.Role =>
            c instanceof iam.Role && c.node.path === 'Lake-health/Dept-health/Uploader/Role',
        );
      if (!role) throw new Error('no health upload role');
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    });
    const failures = (await evaluateMatrix(broadened, ACCESS_MATRIX)).filter((o) => !o.holds);
    expect(failures.map(describeFailure)).toContain(
      'health-uploader s3:PutObject landing:landing/education/enrolment/2024.csv: expected false, got true',
    );
    expect(failures.every((o) => o.row.principal === 'health-uploader')).toBe(true);
  });

  it("denies a role created under the upload roles' IAM path, which the path wildcard of old admitted", async () => {
    const request = toRequest(model, {
      principal: 'path-lookalike',
      action: 's3:GetObject',
      resource: 'landing:landing/health/clinics/2024-06-01.csv',
      allowed: false,
    });
    expect(await isAllowed(request)).toBe(false);
    const policy = JSON.stringify(request.resourcePolicy);
    expect(policy).toContain('role/lake/departments/Lake-upload-health"');
    const byPath = JSON.parse(
      policy.replace('role/lake/departments/Lake-upload-health"', 'role/lake/departments/*"'),
    );
    expect(await isAllowed({ ...request, resourcePolicy: byPath })).toBe(true);
  });

  it("lets nobody assume an upload role whose department names no uploaders, as the account's trust once did", async () => {
    const request = toRequest(model, {
      principal: 'account-admin',
      action: 'sts:AssumeRole',
      resource: 'role:statistics-uploader',
      allowed: false,
    });
    expect(await isAllowed(request)).toBe(false);
    const accountTrust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws-cn:iam::111122223333:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    expect(await isAllowed({ ...request, resourcePolicy: accountTrust })).toBe(true);
  });

  it("keeps the hash key and the query results from the account's admin by their denies alone", async () => {
    const cases: [string, string][] = [
      ['secretsmanager:GetSecretValue', 'secret:hash-key'],
      ['kms:Decrypt', 'secret:hash-key'],
      ['s3:GetObject', 'query-results:athena/public/q-1.csv'],
      ['kms:Decrypt', 'query-results:athena/public/q-1.csv'],
    ];
    for (const [action, resource] of cases) {
      const request = toRequest(model, { principal: 'account-admin', action, resource, allowed: false });
      expect(await isAllowed(request), `${action} ${resource}`).toBe(false);
      const policy = request.resourcePolicy as { Statement: { Effect: string }[] };
      const withoutDenies = { ...policy, Statement: policy.Statement.filter((st) => st.Effect !== 'Deny') };
      expect(await isAllowed({ ...request, resourcePolicy: withoutDenies }), `${action} ${resource}`).toBe(
        true,
      );
    }
  });

  it('gives each persona in lake.yaml the columns its level sees, as the contracts classify them', () => {
    const lf = buildLfModel(model.templates.values());
    const { config, datasets } = model.lake.core.inputs;
    const personas: {
      role: string;
      classifications: readonly string[];
      departments?: string[];
      /** Also every other department's tables shared unconditionally, at the same classifications. */
      sharedElsewhere?: boolean;
    }[] = [
      ...config.personas.public.map((arn) => ({
        role: arn,
        classifications: PERSONA_CLASSIFICATIONS.public,
      })),
      ...Object.entries(config.departments).flatMap(([dept, p]) => [
        ...p.analysts.map((arn) => ({
          role: arn,
          classifications: ['public', 'internal'],
          departments: [dept],
        })),
        ...p.restricted.map((arn) => ({
          role: arn,
          classifications: ['public', 'internal', 'restricted'],
          departments: [dept],
        })),
      ]),
      // The web portal acts for each department's analysts as its portal analyst role: a department analyst
      // who also reads what other departments share unconditionally (as analyst:<dept> does locally).
      ...model.lake.core.inputs.departments.map((d) => ({
        role: `arn:${PARTITION}:iam::${ACCOUNT}:role/lake/departments/Lake-portal-analyst-${d.id}`,
        classifications: ['public', 'internal'],
        departments: [d.id],
        sharedElsewhere: true,
      })),
    ];
    expect(personas.length).toBeGreaterThan(0);
    let checked = 0;
    for (const persona of personas) {
      const roleName = persona.role.split(':role/')[1];
      for (const contract of datasets) {
        const table = `lake_${contract.department}/${contract.name}`;
        for (const field of contract.fields) {
          if (field.protect === 'drop') continue;
          const classification = field.classification ?? contract.classification;
          const shared = (contract.sharing?.type ?? 'unconditional') === 'unconditional';
          const expected =
            persona.classifications.includes(classification) &&
            ((persona.departments?.includes(contract.department) ?? true) ||
              (persona.sharedElsewhere === true && shared));
          const actual = lfAllowed(lf, roleName, 'SELECT', `lf:${table}.${field.name}`);
          expect({ persona: roleName, column: `${table}.${field.name}`, allowed: actual }).toEqual({
            persona: roleName,
            column: `${table}.${field.name}`,
            allowed: expected,
          });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('is rendered to docs/access-matrix.md (run scripts/render-access-matrix.ts after a change)', () => {
    expect(readFileSync(join(ROOT, ACCESS_MATRIX_DOC), 'utf8')).toBe(renderAccessMatrix());
  });
});
