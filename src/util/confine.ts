/**
 * Is a path inside one of the workspace roots, after resolving `..` and symlinks? A link inside the
 * workspace that points out of it counts as outside, and so does a path that does not exist yet whose
 * nearest existing parent is such a link. Plain Node, used by the agent and again by the clients.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** The real path of `target` (resolved against no cwd: it must be absolute), following links of its existing part. */
export function realPathOf(target: string): string {
  const missing: string[] = [];
  let current = path.resolve(target);
  for (;;) {
    try {
      return path.join(realpathSync.native(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.join(current, ...missing.reverse());
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

export function isWithin(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/** The root that holds `target` once both are resolved, or undefined when it is outside all of them. */
export function confiningRoot(roots: readonly string[], target: string): string | undefined {
  if (!path.isAbsolute(target)) return undefined;
  const real = realPathOf(target);
  return roots.find((root) => isWithin(realPathOf(root), real));
}
