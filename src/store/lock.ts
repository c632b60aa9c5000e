/**
 * One server process owns a data dir: `server.lock` is created exclusively and names its holder (pid, host,
 * URL once listening), so a second server is told who holds it. A lock left by a process that no longer
 * runs on this host (a `kill -9`) is taken over.
 */
import { hostname } from 'node:os';
import { open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  url?: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(`The data dir ${dataDir} is in use by another Punie server (pid ${holder.pid} on ${holder.host}${holder.url ? `, ${holder.url}` : ''}, since ${holder.startedAt}); connect to it with --server, or use another --data-dir`);
    this.name = 'DataDirLockedError';
  }
}

export class DataDirLock {
  private info: LockInfo | undefined;

  constructor(private readonly dataDir: string) {}

  private get path(): string {
    return join(this.dataDir, 'server.lock');
  }

  async acquire(): Promise<void> {
    const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(this.path, 'wx', 0o600);
        try {
          await handle.writeFile(JSON.stringify(info));
        } finally {
          await handle.close();
        }
        this.info = info;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      }
      const holder = await this.holder();
      if (holder && (holder.host !== info.host || isRunning(holder.pid))) throw new DataDirLockedError(this.dataDir, holder);
      await unlink(this.path).catch(() => {});
    }
  }

  /** Adds the URL the server listens on, for the message a second server shows. */
  async announce(url: string): Promise<void> {
    if (!this.info) return;
    this.info.url = url;
    await writeFile(this.path, JSON.stringify(this.info), { mode: 0o600 });
  }

  async release(): Promise<void> {
    if (!this.info) return;
    this.info = undefined;
    await unlink(this.path).catch(() => {});
  }

  private async holder(): Promise<LockInfo | undefined> {
    try {
      const value = JSON.parse(await readFile(this.path, 'utf8')) as Partial<LockInfo>;
      if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
      return { pid: value.pid, host: value.host, startedAt: String(value.startedAt), url: typeof value.url === 'string' ? value.url : undefined };
    } catch {
      return undefined; // unreadable or half-written: a crashed holder
    }
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
