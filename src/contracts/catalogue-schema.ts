/**
 * A contract's catalogue metadata: how the dataset is shared between departments (共享) and opened to the
 * public (开放), how often it is updated, and what the catalogue says about it (licence, keywords,
 * theme, area and period covered, contact point).
 *
 * The sharing and opening types are the three of the province's regulation on government data sharing
 * and opening and of the national catalogue guidelines: unconditional (无条件), conditional (有条件), none
 * (不予). Sharing is the rule: a contract without `sharing` is shared unconditionally, and a conditional
 * or refused one states its legal `basis`. A contract without `opening` is not opened. The update
 * frequencies and the themes map onto the EU vocabularies that DCAT-AP uses (frequency, data-theme).
 */
import { z } from 'zod';
import { ID_PATTERN } from './id-pattern.ts';

export const ACCESS_TYPES = ['unconditional', 'conditional', 'none'] as const;
export type AccessType = (typeof ACCESS_TYPES)[number];
/** What an absent `sharing` means (catalogue-defaults.ts: loaded without zod where only it is needed). */
export { DEFAULT_SHARING } from './catalogue-defaults.ts';

/** `updateFrequency` values, each with its EU frequency authority code (DCAT-AP accrualPeriodicity). */
export const UPDATE_FREQUENCIES = {
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  semiannual: 'ANNUAL_2',
  yearly: 'ANNUAL',
  irregular: 'IRREG',
} as const;
export type UpdateFrequency = keyof typeof UPDATE_FREQUENCIES;

/** `theme` values: the EU data-theme authority codes (DCAT-AP dcat:theme). */
export const THEMES = [
  'AGRI',
  'ECON',
  'EDUC',
  'ENER',
  'ENVI',
  'GOVE',
  'HEAL',
  'INTR',
  'JUST',
  'REGI',
  'SOCI',
  'TECH',
  'TRAN',
] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** An administrative-division code of the statistics bureau: 6 digits (province to county), 9 or 12. */
const DIVISION_CODE = /^\d{6}(\d{3}(\d{3})?)?$/;

const accessSchema = (what: 'sharing' | 'opening') =>
  z
    .strictObject({
      type: z.enum(ACCESS_TYPES),
      conditions: z
        .string()
        .min(1)
        .optional()
        .describe(`conditional ${what}: what a requester must meet (e.g. use for statistics only).`),
      basis: z
        .string()
        .min(1)
        .optional()
        .describe('The law, regulation or decision behind a conditional or refused type; required for them.'),
    })
    .superRefine((a, ctx) => {
      if (a.type !== 'unconditional' && !a.basis) {
        ctx.addIssue({
          code: 'custom',
          path: ['basis'],
          message: `${what}: ${a.type} needs a basis: the law, regulation or decision that allows the exception (e.g. basis: 《中华人民共和国个人信息保护法》第十三条)`,
        });
      }
      if (a.type === 'conditional' && !a.conditions) {
        ctx.addIssue({
          code: 'custom',
          path: ['conditions'],
          message: `${what}: conditional needs conditions: what a requester must meet, shown with the access request form`,
        });
      }
    });

export const sharingSchema = accessSchema('sharing').describe(
  'Sharing between departments: unconditional (every government analyst reads it), conditional (through access requests the owning department approves), none. Default unconditional.',
);
export const openingSchema = accessSchema('opening').describe(
  'Opening to the public: unconditional (published as open data), conditional (through access requests from outside the government), none. Not opened when absent.',
);

export const temporalSchema = z
  .union([
    z.strictObject({
      start: z.string().regex(DATE, 'must be a date written YYYY-MM-DD'),
      end: z.string().regex(DATE, 'must be a date written YYYY-MM-DD').optional(),
    }),
    z.strictObject({
      field: z.string().regex(ID_PATTERN, 'must name a date or datetime field'),
    }),
  ])
  .describe(
    'The period the data covers: fixed ({ start, end }) or a date field whose range the lake computes ({ field }).',
  );

export const contactPointSchema = z
  .strictObject({
    name: z.string().min(1).describe('The office that answers questions about the dataset.'),
    email: z.email().optional(),
    telephone: z.string().min(1).optional(),
  })
  .describe("The office to contact (an office's address and telephone, never a person's own).");

/** The catalogue keys of a dataset contract (spread into its definition). */
export const catalogueShape = {
  sharing: sharingSchema.optional(),
  opening: openingSchema.optional(),
  updateFrequency: z
    .enum(Object.keys(UPDATE_FREQUENCIES) as [UpdateFrequency, ...UpdateFrequency[]])
    .optional()
    .describe('How often the department uploads (更新周期); a dataset that misses it is overdue.'),
  license: z
    .string()
    .min(1)
    .optional()
    .describe('Licence of opened data: an SPDX identifier (e.g. CC-BY-4.0) or a URL.'),
  keywords: z.array(z.string().min(1)).min(1).optional(),
  theme: z.array(z.enum(THEMES)).min(1).optional().describe('EU data themes, e.g. [HEAL] or [EDUC, SOCI].'),
  spatial: z
    .string()
    .regex(DIVISION_CODE, 'must be an administrative-division code (e.g. 520000 for Guizhou)')
    .optional()
    .describe('The area covered, as an administrative-division code (520000 Guizhou, 520100 Guiyang…).'),
  temporal: temporalSchema.optional(),
  contactPoint: contactPointSchema.optional(),
};

/** The catalogue keys as the loader returns them. */
export interface CatalogueMetadata {
  sharing?: z.output<typeof sharingSchema>;
  opening?: z.output<typeof openingSchema>;
  updateFrequency?: UpdateFrequency;
  license?: string;
  keywords?: string[];
  theme?: (typeof THEMES)[number][];
  spatial?: string;
  temporal?: z.output<typeof temporalSchema>;
  contactPoint?: z.output<typeof contactPointSchema>;
}
