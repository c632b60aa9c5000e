/**
 * Issue 10 §3: an unreachable server must never wedge the extension. The newest server choice wins within a
 * second, a remote server is checked before it is dialled (the problem shown at once, with its fix), and a
 * question asked while the server is out of reach fails after the connect timeout and stays in the composer.
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as vscode from 'vscode';
import { lastOf, punie, QUICK_RECONNECT, remoteFixture, settings, settingsForSuite, startServe, TcpProxy, waitFor } from './helpers';

const TOKEN = 'unreachable-test-token-0123456789';
const CONNECT_MS = 1500;

/** A ws:// URL on a loopback port where nothing listens. */
async function deadUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `ws://127.0.0.1:${port}/ws`;
}

describe('an unreachable server never wedges the extension', () => {
  const remote = remoteFixture();
  // Registered first, so it runs before the settings are reset.
  after(() => vscode.commands.executeCommand('punie.useLocal'));
  before(() => settings({ 'punie.server.mode': 'local' }));
  settingsForSuite({
    'punie.model': 'test',
    'punie.timeouts.connectMs': CONNECT_MS,
    ...QUICK_RECONNECT,
    // Unlimited attempts: the client never gives up on a dead URL by itself.
    'punie.reconnect.maxAttempts': 0,
  });

  it('reports a dead remote URL at once with "Edit URL…", and "Use Local Server" then wins within a second', async () => {
    const api = await punie();
    const s = api.services();
    await vscode.commands.executeCommand('punie.ask', 'connected first');
    assert.equal(s.connection.state.kind, 'connected');
    const dead = await deadUrl();
    await vscode.commands.executeCommand('punie.connectRemote', dead, TOKEN);
    // The command resolves once the settings are written; a refused port is reported without waiting for any timeout.
    const written = Date.now();
    const problem = await waitFor('the problem notification', () => s.problems.last?.text.includes(dead) && s.problems.last, 3000);
    assert.ok(problem.at - written < CONNECT_MS, `told ${problem.at - written} ms after the settings were written`);
    assert.match(problem.text, /cannot reach a server/);
    assert.deepEqual(problem.actions, ['Edit URL…', 'Use Local Server']);
    assert.equal(s.connection.state.kind, 'failed');
    // The setting is written once the command resolves: from then on the local server must win within a second.
    await vscode.commands.executeCommand('punie.useLocal');
    await waitFor('connected to the local server', () => s.connection.endpoint?.mode === 'local' && s.connection.state.kind === 'connected', 1000);
    await vscode.commands.executeCommand('punie.ask', 'after the dead URL');
    assert.match(lastOf(await api.probe(), 'agent')!.text, /You asked: after the dead URL/);
  });

  it('after a dead URL, "Reconnect Now" checks again at once and a correct URL and token connect', async () => {
    const api = await punie();
    const s = api.services();
    remote.serve = await startServe(['--port', '0', '--token', TOKEN]);
    const dead = await deadUrl();
    await vscode.commands.executeCommand('punie.connectRemote', dead, TOKEN);
    const first = await waitFor('the dead URL to fail its check', () => s.connection.state.kind === 'failed' && s.problems.last?.text.includes(dead) && s.problems.last, 3000);
    await vscode.commands.executeCommand('punie.reconnect');
    await waitFor('Reconnect Now to check again and fail at once', () => s.connection.state.kind === 'failed' && s.problems.last!.at > first.at, 3000);
    await vscode.commands.executeCommand('punie.connectRemote', remote.serve.url, TOKEN);
    await waitFor('connected to the right server', () => s.connection.endpoint?.url === remote.serve!.url && s.connection.state.kind === 'connected', 3000);
    await vscode.commands.executeCommand('punie.ask', 'right server now');
    assert.match(lastOf(await api.probe(), 'agent')!.text, /You asked: right server now/);
  });

  it('reports a refused token with "Set token…", and setting the right one connects', async () => {
    const api = await punie();
    const s = api.services();
    remote.serve = await startServe(['--port', '0', '--token', TOKEN]);
    await vscode.commands.executeCommand('punie.connectRemote', remote.serve.url, 'not-the-token');
    const problem = await waitFor('the token problem', () => s.problems.last?.text.includes('refused the token') && s.problems.last, 3000);
    assert.deepEqual(problem.actions, ['Set token…', 'Use Local Server']);
    // What "Set token…" runs (punie.connectRemote with the URL), with the token the user types given as the argument.
    await vscode.commands.executeCommand('punie.connectRemote', remote.serve.url, TOKEN);
    await waitFor('connected with the right token', () => s.connection.state.kind === 'connected', 3000);
  });

  it('fails a question after the connect timeout when the server is out of reach, and keeps it in the composer', async () => {
    const api = await punie();
    const s = api.services();
    remote.serve = await startServe(['--port', '0', '--token', TOKEN]);
    remote.proxy = new TcpProxy(remote.serve.port);
    const port = await remote.proxy.start(0);
    await vscode.commands.executeCommand('punie.connectRemote', `ws://127.0.0.1:${port}/ws`, TOKEN);
    await vscode.commands.executeCommand('punie.ask', 'while it is up');
    await vscode.commands.executeCommand('punie.openChat');
    await remote.proxy.stop();
    await waitFor('the reconnecting state', () => s.connection.state.kind === 'reconnecting');
    const asked = Date.now();
    api.view.receive({ type: 'send', text: 'are you there?' });
    await waitFor('the question to start', () => s.chat.busy, 2000);
    await waitFor('the question to end', () => !s.chat.busy, CONNECT_MS + 5000);
    const waited = Date.now() - asked;
    assert.ok(waited >= CONNECT_MS - 200 && waited < CONNECT_MS + 4000, `ended after ${waited} ms (connect timeout ${CONNECT_MS} ms)`);
    const failed = await waitFor('the failure in the chat', async () => {
      const r = await api.probe();
      return /could not reach the remote server/.test(lastOf(r, 'notice')?.text ?? '') && r.draft ? r : undefined;
    });
    assert.match(lastOf(failed, 'notice')!.text, /Use Local Server.*send your question again/);
    assert.equal(failed.draft, 'are you there?', 'the question is back in the composer');
    // The client keeps reconnecting forever meanwhile; the newest choice still wins at once.
    assert.equal(s.connection.state.kind === 'reconnecting' || s.connection.state.kind === 'connecting', true);
    await vscode.commands.executeCommand('punie.useLocal');
    await waitFor('connected to the local server', () => s.connection.endpoint?.mode === 'local' && s.connection.state.kind === 'connected', 1000);
    api.view.receive({ type: 'send', text: failed.draft });
    await waitFor('the answer to the question sent again', async () => /You asked: are you there\?/.test(lastOf(await api.probe(), 'agent')?.text ?? ''));
  });
});
