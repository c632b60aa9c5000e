import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { ConnectionState } from '../../src/client/types';
import { connectionView, statusBarText } from '../../src/extension/connectionView';
import { OutputBuffer } from '../../src/extension/outputBuffer';
import { autoDecision } from '../../src/extension/permissionPolicy';
import { statusMenuItems } from '../../src/extension/statusMenuItems';
import { sliceLines } from '../../src/extension/textLines';
import type { RequestPermissionRequest } from '../../src/protocol/acp';
import { bannerContent } from '../../src/webview/banner';

describe('OutputBuffer', () => {
  it('keeps everything under the limit and the end over it, flagged as truncated', () => {
    const small = new OutputBuffer(100);
    small.append('hello ');
    small.append('world');
    assert.equal(small.text(), 'hello world');
    assert.equal(small.truncated, false);
    const big = new OutputBuffer(10);
    for (let i = 0; i < 100; i++) big.append(`${i};`);
    assert.equal(big.text(), ';97;98;99;', 'the last 10 bytes');
    assert.equal(big.truncated, true);
  });

  it('never cuts inside a UTF-8 character', () => {
    const buffer = new OutputBuffer(7);
    buffer.append('ééééé'); // 10 bytes
    assert.equal(buffer.text(), 'ééé');
  });
});

describe('sliceLines', () => {
  it('returns lines from a 1-based line, at most limit of them', () => {
    const text = 'a\nb\nc\nd';
    assert.equal(sliceLines(text), text);
    assert.equal(sliceLines(text, 2), 'b\nc\nd');
    assert.equal(sliceLines(text, 2, 2), 'b\nc');
    assert.equal(sliceLines(text, undefined, 1), 'a');
    assert.equal(sliceLines(text, 10, 2), '');
    assert.equal(sliceLines(text, 1, 0), '');
  });
});

describe('permission policy', () => {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'punie-policy-')));
  const request = (kind: string, fields: object = { locations: [{ path: path.join(root, 'a.ts') }] }): RequestPermissionRequest =>
    ({
      sessionId: 's',
      toolCall: { toolCallId: 't', title: 'x', kind, ...fields },
      options: [
        { optionId: 'yes', name: 'Allow', kind: 'allow_once' },
        { optionId: 'no', name: 'Reject', kind: 'reject_once' },
      ],
    }) as RequestPermissionRequest;
  const view = (autoApprove: 'never' | 'reads' | 'all', trusted = true) => ({ autoApprove, trusted, allowSearches: false, roots: [root] });

  it('asks by default, allows reads under "reads", everything under "all"', () => {
    assert.equal(autoDecision(request('read'), view('never')), undefined);
    assert.equal(autoDecision(request('read'), view('reads'))?.option.optionId, 'yes');
    assert.equal(autoDecision(request('edit'), view('reads')), undefined);
    assert.equal(autoDecision(request('execute'), view('all'))?.option.optionId, 'yes');
  });

  it('refuses edits and commands in an untrusted workspace whatever the setting, with the reason', () => {
    const decided = autoDecision(request('edit'), view('all', false));
    assert.equal(decided?.option.optionId, 'no');
    assert.match(decided!.reason, /not trusted/);
    assert.equal(autoDecision(request('read'), view('reads', false))?.option.optionId, 'yes');
  });
});

describe('connection texts', () => {
  it('maps every state to the banner and the status bar', () => {
    const now = 10_000;
    const reconnecting = { kind: 'reconnecting', attempt: 2, retryAt: now + 4200, lastError: 'closed with 1006' } as const;
    const view = connectionView(reconnecting, 'remote', false, now);
    assert.deepEqual(view, { mode: 'remote', sessionExpired: false, status: 'reconnecting', retryInMs: 4200, detail: 'closed with 1006' });
    assert.match(statusBarText(reconnecting, 'remote', now).text, /Punie \(remote\): reconnecting in 5s/);
    assert.match(bannerContent(view, now, now + 1500)!.text, /Reconnecting in 3s/);
    assert.match(bannerContent(view, now, now + 9000)!.text, /Reconnecting now/);
    assert.deepEqual(bannerContent(view, now, now)!.actions.map((a) => a.message), ['retryNow']);

    assert.equal(bannerContent(connectionView({ kind: 'connected', since: 0, serverName: 'punie', reason: 'connected' } as ConnectionState, 'local', false, now), 0, 0), undefined);
    assert.match(bannerContent(connectionView({ kind: 'idle' }, 'local', true, now), 0, 0)!.text, /next question starts a new one/);
    const failed = { kind: 'failed', reason: 'ws://h answered HTTP 401 — check the token' } as const;
    assert.match(statusBarText(failed, 'remote', now).text, /failed: ws:\/\/h answered HTTP 401/);
    assert.equal(statusBarText(failed, 'remote', now).severity, 'error');
    assert.match(bannerContent(connectionView(failed, 'remote', false, now), 0, 0)!.text, /Cannot reach/);
    assert.match(statusBarText({ kind: 'closed', reason: 'bye' }, 'local', now).text, /offline/);
    assert.match(statusBarText({ kind: 'connected', since: 0, serverName: 'p', reason: 'connected' } as ConnectionState, 'local', now).text, /Punie \(local\): connected/);
  });
});

describe('status bar menu', () => {
  const commands = (...args: Parameters<typeof statusMenuItems>) => statusMenuItems(...args).map((i) => i.command);

  it('offers reconnect only when not connected, and cancel only while an answer runs', () => {
    assert.ok(!commands('connected', 'local', false).includes('punie.reconnect'));
    for (const state of ['reconnecting', 'failed', 'closed', 'idle', 'connecting'] as const) assert.ok(commands(state, 'local', false).includes('punie.reconnect'), state);
    assert.ok(!commands('connected', 'local', false).includes('punie.cancel'));
    assert.ok(commands('connected', 'local', true).includes('punie.cancel'));
  });

  it('offers the way to the other kind of server', () => {
    const local = commands('connected', 'local', false);
    assert.ok(local.includes('punie.restartLocalServer') && local.includes('punie.connectRemote') && !local.includes('punie.useLocal'));
    const remote = commands('connected', 'remote', false);
    assert.ok(remote.includes('punie.useLocal') && !remote.includes('punie.restartLocalServer'));
  });
});
