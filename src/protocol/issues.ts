/**
 * The one way a zod validation failure is put into words, on every side (server answers, the extension's
 * answers to the agent, tool arguments, webview messages). Only the first issues are named: a 1 MB array
 * of wrong items would otherwise make a 100 MB error text.
 */

/** Issues named in one error; the rest are counted. */
export const MAX_REPORTED_ISSUES = 10;

export interface Issue {
  path: PropertyKey[];
  message: string;
}

export interface IssueSummary {
  /** `a.b: message; c: message; and 5 more`. */
  text: string;
  /** The issues named in `text`. */
  shown: readonly Issue[];
}

/** `root` names the validated value itself when an issue has an empty path, e.g. `(params)`. */
export function summarizeIssues<T extends Issue>(issues: readonly T[], root: string): IssueSummary & { shown: readonly T[] } {
  const shown = issues.slice(0, MAX_REPORTED_ISSUES);
  const more = issues.length - shown.length;
  const text = shown.map((i) => `${i.path.map(String).join('.') || root}: ${i.message}`).join('; ');
  return { text: more > 0 ? `${text}; and ${more} more` : text, shown };
}
