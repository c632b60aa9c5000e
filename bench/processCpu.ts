/**
 * CPU time by kind of process (Linux /proc), read before and after a round: what the round cost each part of
 * the chain from the extension host to the page. On a shared two-core machine this is far less noisy than a
 * latency percentile, so it shows what a change costs even when the p99 does not move. Only this process's
 * descendants count (the code-server and Chromium it started), never another run's.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const PROCESS_KINDS = ['renderer', 'gpu', 'browser', 'extension host'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];
export type CpuSample = Record<ProcessKind, number>;

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function kindOf(cmdline: string): ProcessKind | undefined {
  if (cmdline.includes('--type=extensionHost')) return 'extension host';
  if (!/chrom/i.test(cmdline.split(' ')[0] ?? '')) return undefined;
  if (cmdline.includes('--type=renderer')) return 'renderer';
  if (cmdline.includes('--type=gpu-process')) return 'gpu';
  return cmdline.includes('--type=') ? undefined : 'browser';
}

/** Milliseconds of user + system time so far, summed per kind over this process's descendants. */
export function sampleCpu(): CpuSample {
  const stats = new Map<number, { ppid: number; ms: number; cmdline: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name, which may itself hold spaces and parentheses.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ').pop()!.split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS, cmdline });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = stats.get(pid)?.ppid; p !== undefined && p > 1; p = stats.get(p)?.ppid) if (p === process.pid) return true;
    return false;
  };
  const sample: CpuSample = { renderer: 0, gpu: 0, browser: 0, 'extension host': 0 };
  for (const [pid, { ms, cmdline }] of stats) {
    const kind = kindOf(cmdline);
    if (kind && ours(pid)) sample[kind] += ms;
  }
  return sample;
}

export function cpuSince(before: CpuSample): CpuSample {
  const now = sampleCpu();
  return Object.fromEntries(PROCESS_KINDS.map((kind) => [kind, now[kind] - before[kind]])) as CpuSample;
}
