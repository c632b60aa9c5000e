/** Token usage, compact: "1.2k / 8.2k" (tokens in context / context size), or just the count when the size is unknown. */
import type { SessionView } from './protocol';

export function formatTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function usageText(usage: SessionView['usage']): { text: string; title: string } | undefined {
  if (!usage) return undefined;
  if (!usage.size) return { text: `${formatTokens(usage.used)} tokens`, title: `${usage.used} tokens in context (the model does not say its context size)` };
  const percent = Math.round((usage.used / usage.size) * 100);
  return { text: `${formatTokens(usage.used)} / ${formatTokens(usage.size)}`, title: `${usage.used} of ${usage.size} context tokens used (${percent}%)` };
}
