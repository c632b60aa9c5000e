/**
 * Mocha runs without `--exit`, so a socket, timer, server or child process a test leaves open keeps the
 * process alive. Rather than hang CI, the run fails a few seconds after the last test, naming what is still
 * open (Node has no public API for the handle list; the internal one is fine for a diagnosis).
 */
const EXIT_GRACE_MS = Number(process.env.PUNIE_TEST_EXIT_GRACE_MS ?? 5_000);

interface Handle {
  constructor?: { name?: string };
  localPort?: number;
  remotePort?: number;
  pid?: number;
  spawnfile?: string;
  _idleTimeout?: number;
  _onTimeout?: { name?: string; toString(): string };
}

function describe(handle: Handle): string {
  const kind = handle.constructor?.name ?? typeof handle;
  const details = [
    handle.localPort !== undefined ? `local port ${handle.localPort}` : '',
    handle.remotePort !== undefined ? `remote port ${handle.remotePort}` : '',
    handle.pid !== undefined ? `pid ${handle.pid} ${handle.spawnfile ?? ''}` : '',
    handle._idleTimeout !== undefined ? `${handle._idleTimeout} ms, ${handle._onTimeout?.name || handle._onTimeout?.toString().slice(0, 120)}` : '',
  ].filter(Boolean);
  return details.length > 0 ? `${kind} (${details.join(', ')})` : kind;
}

/** Root hook plugin (loaded with --require): arms the exit deadline once every test has run. */
export function mochaGlobalTeardown(): void {
  const timer = setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles().filter((h) => h !== timer);
    process.stderr.write(`\nThe test process is still running ${EXIT_GRACE_MS} ms after the last test; open handles:\n`);
    for (const handle of handles) process.stderr.write(`  - ${describe(handle)}\n`);
    process.stderr.write(`  resources: ${process.getActiveResourcesInfo().join(', ')}\n`);
    // Mocha's own exit listener sets the exit code from the failure count; this one runs after it.
    process.on('exit', () => {
      process.exitCode = 1;
    });
    process.exit(1);
  }, EXIT_GRACE_MS);
  timer.unref();
}
