import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVER_LIMITS } from '../../src/server/limitTable';
import { defaultServerOptions } from '../../src/server/options';

describe('extension settings', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
  type Setting = { default?: unknown; markdownDescription?: string; order?: number };
  const sections: { title: string; order: number; properties: Record<string, Setting> }[] = pkg.contributes.configuration;
  const properties: Record<string, Setting> = Object.assign({}, ...sections.map((s) => s.properties));

  it('are grouped as a user thinks, in order, each setting with its place', () => {
    assert.deepEqual(
      [...sections].sort((a, b) => a.order - b.order).map((s) => s.title),
      ['Server', 'Model', 'Permissions', 'Connection', 'Advanced'],
    );
    for (const section of sections) {
      const orders = Object.values(section.properties).map((p) => p.order);
      assert.deepEqual(orders, orders.map((_, i) => i + 1), `${section.title}: every setting has its order`);
    }
    const advanced = sections.find((s) => s.title === 'Advanced')!;
    for (const { key } of SERVER_LIMITS) assert.ok(advanced.properties[`punie.localServer.${key}`], `${key} is under Advanced`);
  });

  it('describe the model forms as the README does, and the limits without close codes in the first sentence', () => {
    const model = properties['punie.model'].markdownDescription ?? '';
    for (const form of ['`test`', '`test:tools`', '`ollama:<model>`', '`local:http://host:port/v1/<model>`', '`openai:<model>`', '`vscode-lm[:family]`']) {
      assert.ok(model.includes(form), `punie.model mentions ${form}`);
    }
    for (const { key } of SERVER_LIMITS) {
      const first = (properties[`punie.localServer.${key}`].markdownDescription ?? '').split('. ')[0];
      assert.doesNotMatch(first, /\b10\d\d\b|-320\d\d/, `${key}: ${first}`);
    }
  });

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
