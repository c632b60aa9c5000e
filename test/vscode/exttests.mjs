// Runs the mocha suite inside code-server's real extension host: loads the workbench with a payload that
// names the unpackaged extension and the test entry point, and waits for VS Code to report the exit code.
// Usage: SCHEME_PREFIX=vscode-remote://127.0.0.1:PORT node exttests.mjs <baseUrl> <extensionDir> <testsEntry> <folder>
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';

const { chromium } = createRequire(process.env.TOOLS + '/')('playwright-core');
const [base, devPath, testsPath, folder] = process.argv.slice(2);
const TIMEOUT_MS = 300_000;
const T0 = Date.now();
const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-udd-'));
const context = await chromium.launchPersistentContext(udd, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let code = 'timeout';
try {
  const page = context.pages()[0] ?? (await context.newPage());
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  // VS Code's web extension service calls window.codeAutomationExit(code) when the test runner settles.
  await page.exposeFunction('codeAutomationExit', (exitCode) => done(exitCode));
  const consoleLog = fs.createWriteStream(path.join(process.env.OUT ?? '.', 'exttests-console.log'));
  page.on('console', async (message) => {
    consoleLog.write(`[${message.type()}] ${message.text()}\n`);
    // The extension host's console.log arrives as ('%c INFO', css, format, ...values): print it as mocha wrote it.
    const values = await Promise.all(message.args().map((a) => a.jsonValue().catch(() => '?')));
    if (typeof values[0] === 'string' && values[0].startsWith('%c')) values.splice(0, 2);
    const text = format(...values);
    // Mocha's lines are indented; the workbench's own chatter is not.
    if (/^\s|^\[test\]/.test(text)) console.log('  ' + text);
  });
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', process.env.SCHEME_PREFIX + devPath],
    ['extensionTestsPath', process.env.SCHEME_PREFIX + testsPath],
    ['skipWelcome', 'true'],
  ]);
  await page.goto(`${base}?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`);
  code = await Promise.race([finished, new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS))]);
} finally {
  console.log(`[exttests] codeAutomationExit code=${code} after ${((Date.now() - T0) / 1000).toFixed(1)} s`);
  await context.close();
  fs.rmSync(udd, { recursive: true, force: true });
}
process.exit(code === 0 ? 0 : 1);
