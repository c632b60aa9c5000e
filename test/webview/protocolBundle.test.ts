/**
 * The webview's protocol as the webview bundle has it: zod/mini alone, set up by zodSetup.ts. In this test
 * process the full zod is loaded too (and sets English messages for everyone), so the check runs in a bundle
 * of its own, where nothing else could supply them.
 */
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import * as esbuild from 'esbuild';

describe('webview protocol bundle', () => {
  it('explains a refused message in words, with zod/mini alone and set up as the webview sets it up', async function () {
    this.timeout(20_000);
    const entry = `import './src/webview/zodSetup'; import { parseHostMessage } from './src/webview/protocol';
      globalThis.result = parseHostMessage({ type: 'ops', ops: [] });`;
    const out = await esbuild.build({ stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome120' });
    const code = out.outputFiles[0].text;
    assert.doesNotMatch(code, /\$constructor\("ZodString"/, 'the full zod is not in the bundle');
    const context: { result?: { ok: boolean; error?: string } } = {};
    runInNewContext(code, context);
    assert.equal(context.result?.ok, false);
    assert.match(context.result?.error ?? '', /^invalid message \(ops\): ops: Too small: expected array to have >=1 items$/);
  });
});
