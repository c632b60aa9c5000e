/** The webview script stays small: it is loaded each time the chat view opens (issue 17: under 300 KB). */
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';

describe('webview bundle', () => {
  it('is under 300 KB minified, as the package builds it', async function () {
    this.timeout(20_000);
    const out = await esbuild.build({ entryPoints: ['src/webview/main.ts'], bundle: true, write: false, minify: true, legalComments: 'none', format: 'iife', platform: 'browser', target: 'chrome120' });
    const bytes = out.outputFiles[0].contents.length;
    assert.ok(bytes < 300_000, `dist/webview.js would be ${bytes} bytes`);
  });
});
