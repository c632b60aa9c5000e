/**
 * A repository's `.vscode/settings.json` trying to auto-approve, to switch the model, or to point the
 * extension at its own server: VS Code reads these settings from user (or remote) settings only.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkServerUrl } from '../../src/extension/serverUrl';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
type Setting = { scope?: string; markdownDescription?: string };
// The settings come in sections (Server, Model, Permissions, Connection, Advanced).
const properties: Record<string, Setting> = Object.assign({}, ...(pkg.contributes.configuration as { properties: Record<string, Setting> }[]).map((s) => s.properties));

describe('security: settings a repository must not control', () => {
  it('auto-approve, searches, the command time limit and the model are application scoped', () => {
    for (const key of ['punie.permissions.autoApprove', 'punie.permissions.allowSearches', 'punie.terminal.timeoutMs', 'punie.model']) {
      assert.equal(properties[key]?.scope, 'application', key);
    }
  });

  it('the server URL, ports, the insecure opt-out, paths, MCP servers and local-server limits are machine scoped', () => {
    const machine = Object.keys(properties).filter((k) => /^punie\.(server|localServer|mcp)/.test(k) || /path/i.test(k));
    assert.ok(machine.includes('punie.server.url') && machine.includes('punie.server.allowInsecureRemote'));
    for (const key of machine) assert.equal(properties[key].scope, 'machine', key);
  });

  it('every scoped setting says in its description where it may be set', () => {
    for (const [key, setting] of Object.entries(properties)) {
      if (setting.scope === 'application') assert.match(setting.markdownDescription ?? '', /Application scope: read from your user settings only/, key);
      if (setting.scope === 'machine') assert.match(setting.markdownDescription ?? '', /Machine scope: read from your user or remote settings only/, key);
    }
  });
});

describe('security: a remote server over the network needs wss://', () => {
  it('accepts plain ws:// only for loopback hosts, unless the machine-scoped opt-out is set', () => {
    assert.equal(checkServerUrl('ws://127.0.0.1:8000/ws'), undefined);
    assert.equal(checkServerUrl('ws://localhost:8000/ws'), undefined);
    assert.equal(checkServerUrl('ws://[::1]:8000/ws'), undefined);
    assert.equal(checkServerUrl('wss://punie.example/ws'), undefined);
    assert.match(checkServerUrl('ws://punie.example/ws') ?? '', /Use wss:\/\/ for punie\.example: plain ws:\/\/ is only for this machine/);
    assert.match(checkServerUrl('ws://127.0.0.1.evil.example/ws') ?? '', /Use wss:\/\//);
    assert.equal(checkServerUrl('ws://punie.example/ws', true), undefined);
  });
});
