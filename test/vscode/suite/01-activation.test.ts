import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, punie } from './helpers';

/** Every command the manifest contributes must be registered (package.json is the contract with VS Code). */
function contributedCommands(): string[] {
  const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
  return manifest.contributes.commands.map((c) => c.command);
}

describe('activation', () => {
  it('is lazy: nothing is active before first use, activation is fast and starts no server', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    assert.equal(extension.isActive, false, 'no activation event fired on startup');
    const started = Date.now();
    const api = await punie();
    console.log(`[test] activate() took ${api.activationMs.toFixed(1)} ms inside, ${Date.now() - started} ms including code loading`);
    assert.ok(api.activationMs < 250, `activation took ${api.activationMs} ms`);
    assert.equal(api.coreLoaded, false, 'no server, connection or transcript until first use');
  });

  it('registers every command', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const contributed = contributedCommands();
    assert.ok(contributed.length >= 10);
    for (const id of contributed) assert.ok(all.has(id), `${id} registered`);
  });

  it('answers commands with nothing to act on with a message instead of failing', async () => {
    const api = await punie();
    await vscode.commands.executeCommand('punie.cancel');
    await vscode.commands.executeCommand('punie.copyLocalServerInfo');
    assert.equal(api.services().connection.state.kind, 'idle', 'still not connected: those commands start nothing');
    assert.match(api.services().statusBar.text, /Punie \(local\)/);
  });
});
