import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVER_LIMITS } from '../../src/server/limitTable';
import { defaultServerOptions } from '../../src/server/options';

describe('extension settings', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
  const properties: Record<string, { default?: unknown; markdownDescription?: string }> = pkg.contributes.configuration.properties;

  it('declare a punie.localServer.* setting for every server limit, with the server default', () => {
    for (const { key, flag } of SERVER_LIMITS) {
      const setting = properties[`punie.localServer.${key}`];
      assert.ok(setting, `punie.localServer.${key} is declared`);
      assert.equal(setting.default, defaultServerOptions[key], `${key} default`);
      assert.match(setting.markdownDescription ?? '', new RegExp(`--${flag}\\b`));
    }
    const declared = Object.keys(properties).filter((k) => k.startsWith('punie.localServer.'));
    assert.equal(declared.length, SERVER_LIMITS.length, 'no stale limit settings');
  });
});
