/**
 * Runs a PunieServer in a child process, so that tests and benchmarks can measure the server's own memory
 * and see it survive. The parent passes options as JSON; the child answers `stats` and `gc` over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { ServerUrls } from '../../src/server/server';

export interface ChildStats {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  connections: number;
  sessions: number;
}

export class ServerProcess {
  /** The server's log lines (stderr), when started with a `logLevel` option. */
  readonly log: string[] = [];
  private readonly waiting: { resolve(stats: ChildStats): void; reject(err: Error): void }[] = [];

  private constructor(
    readonly child: ChildProcess,
    readonly urls: ServerUrls,
  ) {
    child.stderr?.setEncoding('utf8').on('data', (text: string) => this.log.push(...text.split('\n').filter(Boolean)));
    // Answers come back in the order of the requests.
    child.on('message', (stats) => this.waiting.shift()?.resolve(stats as ChildStats));
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`the server process exited (${code ?? signal})`));
    });
  }

  /** `mode` `punie` runs PunieServer; `ws` runs a bare ws server with the same settings (a baseline). */
  static start(options: Record<string, unknown> = {}, mode: 'punie' | 'ws' = 'punie'): Promise<ServerProcess> {
    const child = fork(require.resolve('./serverMain'), [JSON.stringify(options), mode], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`server process exited with ${code}`));
      child.once('error', reject);
      child.once('exit', onExit);
      child.once('message', (urls) => {
        child.off('exit', onExit);
        resolve(new ServerProcess(child, urls as ServerUrls));
      });
    });
  }

  /** Memory and counts, after a full GC when `gc` is set. */
  stats(gc = false): Promise<ChildStats> {
    if (!this.alive) return Promise.reject(new Error('the server process is not running'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.send({ stats: true, gc });
    });
  }

  /** Samples the server's RSS every `intervalMs` until `stop()`, which resolves with the highest seen. */
  sampleRss(intervalMs = 20): { stop(): Promise<number> } {
    let peak = 0;
    let sampling = true;
    const loop = (async () => {
      while (sampling && this.alive) {
        peak = Math.max(peak, (await this.stats()).rss);
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
    return {
      stop: async () => {
        sampling = false;
        await loop;
        return peak;
      },
    };
  }

  /** Resolves once a log line matches (the server must run with a `logLevel` that emits it). */
  async waitForLog(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.log.find((l) => pattern.test(l));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms; log: ${this.log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
