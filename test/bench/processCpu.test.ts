/** The benchmark's CPU time per kind of process: a busy descendant is counted under its kind, a stranger never. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpuSince, sampleCpu } from '../../bench/processCpu';

/** A script for `node -e` that spins for `ms` of CPU; the kinds are told apart by what follows it on the command line. */
const BURN = (ms: number) => `const end = Date.now() + ${ms}; while (Date.now() < end);`;

describe('bench process CPU', () => {
  it('counts a busy descendant under its kind and nothing under the others', async () => {
    const before = sampleCpu();
    const child = spawn(process.execPath, ['-e', `${BURN(300)} setTimeout(() => {}, 5000)`, '--', '--type=extensionHost'], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      // Sampled while the child is still alive (burned, now idle): a process that has ended is gone from /proc.
      await new Promise((resolve) => setTimeout(resolve, 450));
      const spent = cpuSince(before);
      assert.ok(spent['extension host'] >= 200, `extension host ${spent['extension host']} ms`);
      assert.deepEqual([spent.renderer, spent.gpu, spent.browser], [0, 0, 0]);
    } finally {
      child.kill();
      await once(child, 'exit');
    }
  });

  it('does not count a process that is not this one\'s descendant', async () => {
    const before = sampleCpu();
    // The shell exits at once, so the burner is re-parented away from this process while it spins.
    const shell = spawn('bash', ['-c', `'${process.execPath}' -e '${BURN(300)} setTimeout(() => {}, 5000)' -- --type=extensionHost & echo $!`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [out] = (await once(shell.stdout, 'data')) as [Buffer];
    const orphan = Number(out.toString().trim());
    await once(shell, 'exit');
    try {
      await new Promise((resolve) => setTimeout(resolve, 450));
      assert.equal(cpuSince(before)['extension host'], 0);
    } finally {
      process.kill(orphan);
    }
  });
});
