import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { agentText, lastOf, punie, QUICK_RECONNECT, remoteFixture, settings, settingsForSuite, startServe, TcpProxy, waitFor } from './helpers';

const TOKEN = 'remote-test-token-0123456789abcdef';
/** A paced answer: 400 numbered lines over about 4 s, so there is time to break things in the middle. */
const SLOW = 'test?chunks=400&chunkSize=12&delayMs=10';

function numbers(text: string): number[] {
  return [...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
}

describe('remote mode against a `punie serve` child process', () => {
  const remote = remoteFixture();
  // Registered first, so it runs before the settings are reset.
  after(() => vscode.commands.executeCommand('punie.useLocal'));
  settingsForSuite({
    'punie.model': 'test',
    ...QUICK_RECONNECT,
    'punie.reconnect.minUptimeMs': 500,
  });

  it('connects with the URL and token from Connect to Remote Server and answers', async () => {
    const api = await punie();
    remote.serve = await startServe(['--port', '0', '--token', TOKEN]);
    await vscode.commands.executeCommand('punie.connectRemote', remote.serve.url, TOKEN);
    await vscode.commands.executeCommand('punie.ask', 'hello remote');
    const services = api.services();
    assert.equal(services.connection.endpoint?.mode, 'remote');
    assert.equal(services.connection.endpoint?.url, remote.serve.url);
    assert.equal(services.servers.localUrls, undefined, 'the local server was stopped');
    assert.match(services.statusBar.text, /Punie \(remote\): connected/);
    assert.match(lastOf(await api.probe(), 'agent')!.text, /You asked: hello remote/);
  });

  it('shows a clear failure for a wrong token', async () => {
    const api = await punie();
    remote.serve = await startServe(['--port', '0', '--token', TOKEN]);
    await vscode.commands.executeCommand('punie.connectRemote', remote.serve.url, 'wrong-token');
    await vscode.commands.executeCommand('punie.ask', 'will this work?');
    const report = await api.probe();
    assert.match(lastOf(report, 'notice')!.text, /refused the token/);
    assert.match(api.services().statusBar.text, /failed/);
    assert.match(report.banner, /Cannot reach the Punie server/);
  });

  it('shows the reconnect banner during a network outage and still completes the answer exactly once', async () => {
    const api = await punie();
    remote.serve = await startServe(['--port', '0', '--token', TOKEN, '--model', SLOW]);
    remote.proxy = new TcpProxy(remote.serve.port);
    const port = await remote.proxy.start(0);
    await vscode.commands.executeCommand('punie.connectRemote', `ws://127.0.0.1:${port}/ws`, TOKEN);
    await settings({ 'punie.model': SLOW });
    const asking = vscode.commands.executeCommand('punie.ask', 'stream through the outage');
    await waitFor('part of the answer', async () => numbers(agentText(await api.probe())).length > 20);
    await remote.proxy.stop();
    const during = await waitFor('the reconnecting banner', async () => {
      const r = await api.probe();
      return /Reconnecting/.test(r.banner) ? r : undefined;
    });
    assert.equal(during.busy, true);
    assert.match(api.services().statusBar.text, /reconnecting/);
    await remote.proxy.start(port);
    await asking;
    const report = await api.probe();
    assert.deepEqual(numbers(agentText(report)), Array.from({ length: 400 }, (_, i) => i), 'every chunk once, in order');
    assert.equal(report.banner, '');
    assert.notEqual(lastOf(report, 'notice')?.text, 'Stopped.');
  });

  it('recovers when the server process is killed and restarted: the turn ends clearly, the next answer completes', async () => {
    const api = await punie();
    remote.serve = await startServe(['--port', '0', '--token', TOKEN, '--model', SLOW]);
    const port = remote.serve.port;
    await vscode.commands.executeCommand('punie.connectRemote', remote.serve.url, TOKEN);
    await settings({ 'punie.model': SLOW });
    const asking = vscode.commands.executeCommand('punie.ask', 'the server will die');
    await waitFor('part of the answer', async () => numbers(agentText(await api.probe())).length > 20);
    await remote.serve.stop('SIGKILL');
    await waitFor('the reconnecting banner', async () => /Reconnecting/.test((await api.probe()).banner));
    remote.serve = await startServe(['--port', String(port), '--token', TOKEN, '--model', SLOW]);
    await asking;
    const ended = await api.probe();
    assert.equal(ended.busy, false);
    assert.match(lastOf(ended, 'notice')!.text, /session|server/i, 'the user is told what happened');
    await waitFor('connected again', () => api.services().connection.state.kind === 'connected');
    await settings({ 'punie.model': 'test' });
    await vscode.commands.executeCommand('punie.ask', 'after the restart');
    const report = await api.probe();
    assert.match(lastOf(report, 'agent')!.text, /You asked: after the restart/);
    assert.equal(report.banner, '');
  });
});
