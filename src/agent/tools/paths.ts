/**
 * Paths the model names are resolved against the session's cwd: ACP wants absolute paths, and the
 * client may run on another OS than the server, so the cwd's own style (POSIX or Windows) decides.
 */
import { posix, win32 } from 'node:path';

export function isWindowsPath(path: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

export function resolvePath(cwd: string, path: string): string {
  const style = isWindowsPath(cwd) ? win32 : posix;
  if (posix.isAbsolute(path) || isWindowsPath(path)) return style.normalize(path);
  return style.resolve(cwd, path);
}

/** A path for titles: relative to cwd when inside it. */
export function displayPath(cwd: string, path: string): string {
  const style = isWindowsPath(cwd) ? win32 : posix;
  const rel = style.relative(cwd, path);
  return rel && !rel.startsWith('..') && !style.isAbsolute(rel) ? rel : path;
}

/** Keeps at most `max` characters, saying how much was cut so the model knows it saw a part. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n… [truncated: ${text.length - max} more characters]`;
}
