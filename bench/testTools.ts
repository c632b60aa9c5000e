/**
 * The real-VS-Code test tools (code-server, Node 24, playwright-core; Chromium from apt) that the browser
 * benchmarks borrow from the warm cache scripts/setup-vscode-tests.sh fills: they are not in node_modules.
 * A benchmark whose tools are missing says so and is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

/** The cache dir when it is complete (playwright-core is installed last) and Chromium is there, else undefined. */
export function testToolsDir(): string | undefined {
  const dir = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'setup-vscode-tests.sh'), '--dir'], { encoding: 'utf8' }).trim();
  return existsSync(path.join(dir, 'node_modules', 'playwright-core')) && existsSync(CHROMIUM) ? dir : undefined;
}

export const SKIPPED = 'skipped: needs Chromium and the test tools cache; run `bash scripts/setup-vscode-tests.sh` first';

/** playwright-core from the cache, typed as the caller uses it. */
export function playwright<T>(tools: string): T {
  return createRequire(tools + '/')('playwright-core') as T;
}
