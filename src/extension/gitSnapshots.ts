/**
 * Checkpoints of a git workspace, kept in its own repository without touching the user's index, branches
 * or working tree: each file text becomes a blob (`git hash-object -w --stdin`), the checkpoint a tree made
 * with `git mktree` (no index at all) under a commit (`git commit-tree`), and that commit is held by a ref
 * under `refs/punie/checkpoints/` (so `git gc` keeps it, and deleting the ref lets it go). Plain Node, no
 * vscode; git runs without a shell, bounded in time, and a missing git simply means "not a git workspace".
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CheckpointFile } from './checkpointIndex';

const GIT_TIMEOUT_MS = 15_000;
/** Who the snapshot commits say made them (a user's own identity may be unset, and is not ours to use). */
const IDENTITY = { GIT_AUTHOR_NAME: 'Punie', GIT_AUTHOR_EMAIL: 'punie@localhost', GIT_COMMITTER_NAME: 'Punie', GIT_COMMITTER_EMAIL: 'punie@localhost' };

export const REF_PREFIX = 'refs/punie/checkpoints/';

/** What a checkpoint holds; in the tree, `meta.json` names each file's blobs. */
export interface Snapshot {
  sessionId: string;
  turnId: string;
  created: number;
  files: CheckpointFile[];
}

const Meta = z.object({
  sessionId: z.string(),
  turnId: z.string(),
  created: z.number(),
  files: z.array(z.object({ path: z.string(), before: z.string().nullable(), after: z.string() })),
});

function git(cwd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, ...IDENTITY, GIT_TERMINAL_PROMPT: '0' }, stdio: ['pipe', 'pipe', 'pipe'], timeout: GIT_TIMEOUT_MS });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`git ${args[0]} failed (${code}): ${err.trim()}`))));
    child.stdin.on('error', () => undefined); // git may exit before reading all of it; its exit code says why
    child.stdin.end(input ?? '');
  });
}

export class GitSnapshots {
  /** The one repository holding every file (absolute paths), or undefined (no git, not a repo, or several). */
  async repoOf(files: readonly string[]): Promise<string | undefined> {
    if (files.length === 0) return undefined;
    const folders = [...new Set(files.map((f) => existingFolder(path.dirname(f))))];
    const roots = await Promise.all(folders.map((f) => this.rootOf(f)));
    const first = roots[0];
    return first !== undefined && roots.every((r) => r === first) ? first : undefined;
  }

  /** Writes the snapshot's blobs, tree and commit, and points its ref at it. */
  async save(repo: string, snapshot: Snapshot): Promise<void> {
    // --no-filters: the exact text, whatever the repository's line-end settings.
    const blob = (text: string) => git(repo, ['hash-object', '-w', '--no-filters', '--stdin'], text).then((s) => s.trim());
    const entries: string[] = [];
    const files = await Promise.all(
      snapshot.files.map(async (file, i) => {
        const before = file.before === null ? null : await blob(file.before);
        const after = await blob(file.after);
        if (before) entries.push(`100644 blob ${before}\tb${i}`);
        entries.push(`100644 blob ${after}\ta${i}`);
        return { path: file.path, before: before && `b${i}`, after: `a${i}` };
      }),
    );
    entries.push(`100644 blob ${await blob(JSON.stringify({ ...snapshot, files }))}\tmeta.json`);
    // mktree puts the entries in git's order itself.
    const tree = (await git(repo, ['mktree'], `${entries.join('\n')}\n`)).trim();
    const commit = (await git(repo, ['commit-tree', tree, '-m', `Punie checkpoint of turn ${snapshot.turnId}`])).trim();
    await git(repo, ['update-ref', refOf(snapshot.turnId), commit]);
  }

  /** The snapshot of a turn, or undefined when its ref is gone or unreadable. */
  async load(repo: string, turnId: string): Promise<Snapshot | undefined> {
    try {
      const ref = refOf(turnId);
      const meta = Meta.safeParse(JSON.parse(await git(repo, ['cat-file', 'blob', `${ref}:meta.json`])));
      if (!meta.success) return undefined;
      const text = (name: string) => git(repo, ['cat-file', 'blob', `${ref}:${name}`]);
      const files = await Promise.all(meta.data.files.map(async (f) => ({ path: f.path, before: f.before === null ? null : await text(f.before), after: await text(f.after) })));
      return { ...meta.data, files };
    } catch {
      return undefined;
    }
  }

  async drop(repo: string, turnId: string): Promise<void> {
    await git(repo, ['update-ref', '-d', refOf(turnId)]);
  }

  /** Asked each time (a cheap call): a folder may become a repository (`git init`) while the window is open. */
  private rootOf(dir: string): Promise<string | undefined> {
    return git(dir, ['rev-parse', '--show-toplevel']).then(
      (out) => out.trim() || undefined,
      () => undefined,
    );
  }
}

/** The folder itself or its nearest existing parent (a new file may be in a folder not made yet). */
function existingFolder(dir: string): string {
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function refOf(turnId: string): string {
  return `${REF_PREFIX}${turnId.replace(/[^\w-]/g, '_')}`;
}
