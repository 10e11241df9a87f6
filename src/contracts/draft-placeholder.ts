/**
 * The placeholder `lake contract infer` writes where only a person can say what a dataset is: the
 * description. The loader refuses a contract that still holds it, so a draft cannot be deployed
 * before a data steward has read it and written one.
 */

/** The description a drafted contract starts with. */
export const DRAFT_DESCRIPTION =
  'TODO: what the dataset holds, which department maintains it, and how often it is uploaded';

/** What starts every placeholder the loader refuses. */
const PLACEHOLDER_PREFIX = 'TODO:';

/** The problem with a contract's `description`, when it is still the draft's placeholder. */
export function placeholderIssue(description: unknown): { path: string[]; message: string } | null {
  if (typeof description !== 'string' || !description.trim().startsWith(PLACEHOLDER_PREFIX)) return null;
  return {
    path: ['description'],
    message:
      'description is still the placeholder of the drafted contract: write in a sentence or two what the dataset holds, which department maintains it and how often it is uploaded',
  };
}
