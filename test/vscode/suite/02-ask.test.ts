import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { agentText, lastOf, punie, settings, waitFor } from './helpers';

describe('Ask with the local server and the test model', () => {
  before(async () => {
    await settings({ 'punie.server.mode': 'local', 'punie.model': 'test' });
  });

  it('starts the local server on first use and streams the answer into the chat', async () => {
    const api = await punie();
    await vscode.commands.executeCommand('punie.ask', 'What does this project do?');
    const services = api.services();
    assert.equal(services.connection.state.kind, 'connected');
    assert.equal(services.connection.endpoint?.mode, 'local');
    assert.match(services.connection.endpoint!.url, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    assert.ok(services.servers.localUrls!.token.length >= 32, 'the local server has a random token');
    assert.match(services.statusBar.text, /Punie \(local\): connected/);
    const report = await api.probe();
    assert.equal(lastOf(report, 'user')?.text, 'What does this project do?');
    const answer = lastOf(report, 'agent')!;
    assert.match(answer.text, /You asked: What does this project do\?/);
    assert.match(answer.text, /built-in test model of Punie/);
    assert.match(answer.html, /<strong>test<\/strong>/, 'markdown is rendered');
    assert.match(answer.html, /<li>/);
    assert.equal(report.busy, false);
    assert.equal(report.banner, '');
  });

  it('restores the transcript when the view is hidden and shown again (no retained context)', async () => {
    const api = await punie();
    const before = await api.probe();
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor('the chat view to be hidden', () => !api.view.visible);
    await vscode.commands.executeCommand('punie.openChat');
    const after = await waitFor('the re-created webview to show the transcript', async () => {
      const r = await api.probe();
      return r.items.length === before.items.length ? r : undefined;
    });
    assert.deepEqual(after.items.map((i) => i.text), before.items.map((i) => i.text));
  });

  it('cancels a running answer with Punie: Cancel and says so', async () => {
    const api = await punie();
    await settings({ 'punie.model': 'test?chunks=2000&chunkSize=16&delayMs=5' });
    const asking = vscode.commands.executeCommand('punie.ask', 'a long one');
    await waitFor('the answer to start streaming', async () => /\[5\]/.test(agentText(await api.probe())));
    assert.equal(api.services().chat.busy, true);
    await vscode.commands.executeCommand('punie.cancel');
    await asking;
    const report = await api.probe();
    assert.equal(report.busy, false);
    assert.equal(lastOf(report, 'notice')?.text, 'Stopped.');
    assert.doesNotMatch(agentText(report), /\[1999\]/, 'the answer stopped early');
    await settings({ 'punie.model': 'test' });
  });

  it('renders an answer quoting <img onerror>, <script> and a javascript: link inert', async () => {
    const api = await punie();
    const payload = 'Echo <img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script> [click](javascript:window.__pwned=1)';
    await vscode.commands.executeCommand('punie.ask', payload);
    const answer = lastOf(await api.probe(), 'agent')!;
    assert.match(answer.text, /<img src=x onerror=/, 'the payload is shown as text');
    assert.doesNotMatch(answer.html, /<img|<script|<[^>]+\son\w+=|href="javascript/i);
  });

  it('starts over with Punie: New Session', async () => {
    const api = await punie();
    const oldSession = api.services().chat.currentSessionId;
    await vscode.commands.executeCommand('punie.newSession');
    assert.deepEqual((await api.probe()).items, []);
    await vscode.commands.executeCommand('punie.ask', 'hello again');
    assert.notEqual(api.services().chat.currentSessionId, oldSession);
    assert.equal((await api.probe()).items.filter((i) => i.kind === 'agent').length, 1);
  });
});
