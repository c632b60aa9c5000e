/**
 * A real redis-server for the fleet tests: started on 127.0.0.1 with a free port and its data (an AOF,
 * fsynced at every write, no snapshots) in a temp dir, removed after; it can be killed and started again
 * on the same port with its data (an outage, a restart).
 * A machine without redis-server fails loudly: the fleet tests must never pass by not running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort';

const BINARY = process.env.PUNIE_REDIS_SERVER ?? '/usr/bin/redis-server';


export class RedisServer {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly fsync: 'always' | 'everysec',
  ) {}

  /** `everysec` for benchmarks (what production runs); tests fsync every write so a kill loses nothing. */
  static async start(fsync: 'always' | 'everysec' = 'always'): Promise<RedisServer> {
    if (!existsSync(BINARY)) throw new Error(`${BINARY} not found: the fleet tests need redis-server (run bash scripts/setup-vscode-tests.sh, which installs it with apt)`);
    const server = new RedisServer(await freePort(), await mkdtemp(join(tmpdir(), 'punie-redis-')), fsync);
    await server.resume();
    return server;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /** Starts (again) on the same port; resolves once it accepts connections. */
  async resume(): Promise<void> {
    this.output = '';
    const child = spawn(BINARY, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', this.fsync, '--dir', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${this.output}`)), 10_000);
      const onData = (text: Buffer) => {
        this.output += text.toString();
        if (this.output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${this.output}`));
      });
    });
  }

  /** Stops it (SIGKILL: nothing is saved, as after a crash). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
