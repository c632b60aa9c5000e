/**
 * Paths the model names are resolved against the session's cwd: ACP wants absolute paths, and the
 * client may run on another OS than the server, so the cwd's own style (POSIX or Windows) decides.
 */
import { existsSync } from 'node:fs';
import { posix, sep, win32 } from 'node:path';
import { confiningRoot } from '../../util/confine';

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

/**
 * The path resolved against the session's cwd (the workspace root), or why it may not be used: outside the
 * root by `..` or an absolute path, or, when the workspace is on this machine, through a symlink.
 */
export function confinedPath(cwd: string, path: string): { ok: true; path: string } | { ok: false; reason: string } {
  const style = isWindowsPath(cwd) ? win32 : posix;
  const resolved = resolvePath(cwd, path);
  const relative = style.relative(cwd, resolved);
  const outside = relative === '..' || relative.startsWith('..' + style.sep) || style.isAbsolute(relative);
  if (outside) return { ok: false, reason: `${resolved} is outside the workspace (${cwd}); tools only reach files inside it` };
  const local = style.sep === sep && existsSync(cwd);
  if (local && !confiningRoot([cwd], resolved)) return { ok: false, reason: `${resolved} leads outside the workspace (${cwd}) through a symbolic link` };
  return { ok: true, path: resolved };
}
