/**
 * `npm run test:vscode:electron`: the same in-editor suite in desktop VS Code, downloaded by
 * @vscode/test-electron (for machines that can reach the VS Code download site; on Linux without a display
 * run it under `xvfb-run -a`). This project's CI cannot download it and runs `npm run test:vscode` instead.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

/** The VS Code release the code-server runner uses too (code-server 4.139.1 = VS Code 1.139.1). */
const VSCODE_VERSION = '1.139.1';

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '..', '..');
  const run = mkdtempSync(path.join(tmpdir(), 'punie-electron-'));
  const workspace = path.join(run, 'ws');
  const userData = path.join(run, 'user-data');
  mkdirSync(workspace);
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true, 'telemetry.telemetryLevel': 'off', 'security.workspace.trust.enabled': false }),
  );
  try {
    await runTests({
      version: VSCODE_VERSION,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'vscode', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${userData}`],
    });
    return 0;
  } catch (err) {
    console.error(`test:vscode:electron failed: ${(err as Error).message}`);
    return 1;
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
