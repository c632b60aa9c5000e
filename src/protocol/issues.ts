/**
 * zod issues as one line: the first few and how many more. A peer's wrong input decides how many issues
 * there are, so an error message or log line that listed them all could grow without bound.
 */

/** Issues named in one message; a 1 MB array of wrong items would otherwise make a 100 MB answer. */
export const MAX_REPORTED_ISSUES = 10;

export interface Issue {
  path: PropertyKey[];
  message: string;
}

/** `whole` names the value itself when an issue has no path (`(params)`, `(result)`). */
export function describeIssues(issues: readonly Issue[], whole: string): string {
  const shown = issues.slice(0, MAX_REPORTED_ISSUES);
  const text = shown.map((i) => `${i.path.map(String).join('.') || whole}: ${i.message}`).join('; ');
  const more = issues.length - shown.length;
  return more > 0 ? `${text}; and ${more} more` : text;
}
