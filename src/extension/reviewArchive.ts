/**
 * What a review card's "Open diff" needs once the window has reloaded: the file and both texts (before, and
 * the proposal or what was accepted of it), saved beside the checkpoints in the extension's storage. The
 * transcript is restored from workspace state but the reviews behind its cards live in memory, so without
 * this a restored card could not show its diff. Bounded: the newest MAX_KEPT reviews, none over MAX_CHARS,
 * all together at most MAX_TOTAL_BYTES.
 * Plain Node (no vscode), so it is tested on its own.
 */
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const MAX_KEPT = 200;
/** Both texts together; a bigger change keeps its diff only while the window is open. */
export const MAX_CHARS = 4 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

const Saved = z.object({ file: z.string(), before: z.string().nullable(), after: z.string(), decided: z.boolean() });
export type SavedReview = z.infer<typeof Saved>;

export class ReviewArchive {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly maxKept = MAX_KEPT,
    private readonly maxTotalBytes = MAX_TOTAL_BYTES,
  ) {}

  /** Saves (or replaces) a review's texts; false when it is too big to keep. Saves run one after another. */
  save(id: string, review: SavedReview): Promise<boolean> {
    const fits = (review.before?.length ?? 0) + review.after.length <= MAX_CHARS;
    const run = this.writing.then(async () => {
      if (!fits) {
        await rm(this.fileOf(id), { force: true });
        return;
      }
      await mkdir(this.dir, { recursive: true });
      await writeFile(this.fileOf(id), JSON.stringify(review));
      await this.trim();
    });
    this.writing = run.catch(() => undefined);
    return run.then(() => fits);
  }

  /** The saved review, or undefined when it is not kept (or unreadable). */
  async load(id: string): Promise<SavedReview | undefined> {
    await this.writing;
    try {
      const parsed = Saved.safeParse(JSON.parse(await readFile(this.fileOf(id), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Keeps the newest `maxKept` files (by modification time) that fit in `maxTotalBytes` together. */
  private async trim(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'));
    const dated = await Promise.all(names.map(async (n) => ({ n, ...(await stat(path.join(this.dir, n))) })));
    dated.sort((a, b) => b.mtimeMs - a.mtimeMs);
    let total = 0;
    const drop = dated.filter((f, i) => (total += f.size) > this.maxTotalBytes || i >= this.maxKept);
    await Promise.all(drop.map(({ n }) => rm(path.join(this.dir, n), { force: true })));
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${id.replace(/[^\w-]/g, '_')}.json`);
  }
}
