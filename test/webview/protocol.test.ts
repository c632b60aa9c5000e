import assert from 'node:assert/strict';
import { parseHostMessage, parseWebviewMessage, type HostMessage } from '../../src/webview/protocol';

const session = {
  model: { current: 'test', options: [{ value: 'test', name: 'test' }] },
  mode: { current: 'default', options: [{ value: 'default', name: 'Default' }] },
  commands: [{ name: 'model', description: 'Switch the model', hint: 'a model' }],
  usage: { used: 10, size: 8192 },
  images: true,
};
const status = { busy: false, connection: { mode: 'local', status: 'connected', detail: 'punie-agent', sessionExpired: false }, session } as const;

describe('webview protocol', () => {
  it('accepts every well-formed host message', () => {
    const messages: HostMessage[] = [
      { type: 'init', items: [{ kind: 'user', id: 'u1', text: 'hi' }], status },
      { type: 'ops', ops: [{ op: 'append', id: 'a1', text: 'x' }, { op: 'clear' }] },
      { type: 'status', status: { ...status, connection: { ...status.connection, status: 'reconnecting', retryInMs: 2000 } } },
      { type: 'focusInput' },
      { type: 'mentioned', uri: 'file:///w/a.ts', name: 'a.ts' },
      { type: 'probe', probeId: 'p1' },
    ];
    for (const m of messages) assert.deepEqual(parseHostMessage(m), { ok: true, message: m });
  });

  it('accepts every well-formed webview message', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'send', text: 'why?' },
      { type: 'send', text: 'see', attachments: [{ kind: 'file', uri: 'file:///w/a.ts', name: 'a.ts' }, { kind: 'image', name: 'p.png', mimeType: 'image/png', data: 'iVBO' }] },
      { type: 'setOption', configId: 'model', value: 'ollama:llama3.2' },
      { type: 'mention' },
      { type: 'retry' },
      { type: 'pickModel' },
      { type: 'clear' },
      { type: 'permission', id: 'p', optionId: 'allow' },
      { type: 'openLocation', path: '/w/a.ts', line: 3 },
      { type: 'probeReport', probeId: 'x', report: { items: [], banner: '', busy: false, inputEnabled: true, draft: '' } },
    ]) {
      assert.equal(parseWebviewMessage(m).ok, true, JSON.stringify(m));
    }
  });

  it('rejects unknown types, missing fields and wrong kinds with a reason', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'exec', command: 'rm -rf /' }, /invalid message \(exec\)/],
      [{ type: 'send' }, /text/],
      [{ type: 'send', text: '' }, /text/],
      [{ type: 'permission', id: 'p' }, /optionId/],
      [{ type: 'openLocation', path: '/a', line: -1 }, /line/],
      [{ type: 'setOption', configId: 'colour', value: 'red' }, /configId/],
      [{ type: 'send', text: 'x', attachments: [{ kind: 'image', name: 'a', mimeType: 'text/html', data: 'x' }] }, /mimeType/],
      ['ready', /invalid message \(string\)/],
      [null, /invalid message/],
    ];
    for (const [data, reason] of cases) {
      const result = parseWebviewMessage(data);
      assert.equal(result.ok, false, JSON.stringify(data));
      if (!result.ok) assert.match(result.error, reason);
    }
  });

  it('rejects host messages whose items or ops do not fit the contract', () => {
    assert.equal(parseHostMessage({ type: 'ops', ops: [] }).ok, false);
    assert.equal(parseHostMessage({ type: 'ops', ops: [{ op: 'append', id: 'a' }] }).ok, false);
    assert.equal(parseHostMessage({ type: 'init', items: [{ kind: 'script', id: 'x' }], status }).ok, false);
    assert.equal(parseHostMessage({ type: 'init', items: [{ kind: 'tool', id: 't', title: 'x', status: 'weird' }], status }).ok, false);
    assert.equal(parseHostMessage({ type: 'status', status: { busy: 'yes', connection: status.connection } }).ok, false);
  });
});
