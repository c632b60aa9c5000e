/** Line slicing for `fs/read_text_file` (`line` is 1-based, `limit` counts lines). Plain code, no vscode. */
export function sliceLines(text: string, line?: number, limit?: number): string {
  if ((line === undefined || line <= 1) && limit === undefined) return text;
  const lines = text.split('\n');
  const start = Math.max(0, (line ?? 1) - 1);
  const end = limit === undefined ? lines.length : start + Math.max(0, limit);
  return lines.slice(start, end).join('\n');
}
