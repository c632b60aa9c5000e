// Bundles the in-editor test suite (test/vscode) to out/test/vscode: one file per suite plus the runner.
import { readdirSync } from 'node:fs';
import * as esbuild from 'esbuild';

const suites = readdirSync('test/vscode/suite').filter((f) => f.endsWith('.test.ts')).map((f) => `test/vscode/suite/${f}`);
await esbuild.build({
  entryPoints: ['test/vscode/index.ts', ...suites],
  outdir: 'out/test/vscode',
  outbase: 'test/vscode',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  // vscode comes from the extension host; mocha must be the runner's own instance (its globals).
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
