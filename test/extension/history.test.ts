import assert from 'node:assert/strict';
import { listSessions, listSessionsOf } from '../../src/client/sessionList';
import { ago, historyEntries } from '../../src/extension/historyItems';
import { sessionDataDir, workspaceIdentity } from '../../src/extension/sessionDir';
import { UpdateMapper } from '../../src/extension/updateMapper';
import type { SessionUpdate } from '../../src/protocol/acp';
import { TranscriptModel } from '../../src/webview/transcriptModel';

const NOW = new Date(2026, 11, 2, 15, 0, 0).getTime();
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const H = 60 * 60 * 1000;

describe('History list entries', () => {
  it('groups by day, shows title, how long ago, model, current and a running badge (from the server or this window)', () => {
    const entries = historyEntries(
      [
        { sessionId: 'a', cwd: '/w', title: 'Fix the parser', updatedAt: at(5 * 60_000), _meta: { model: 'test', running: false } },
        { sessionId: 'b', cwd: '/w', title: null, updatedAt: at(2 * H), _meta: { model: 'ollama:llama3.2', running: true } },
        { sessionId: 'c', cwd: '/w', title: '  ', updatedAt: at(20 * H) },
        { sessionId: 'd', cwd: '/w', title: 'Old one', updatedAt: at(40 * 24 * H), _meta: { model: 7 } },
        { sessionId: 'e', cwd: '/w', title: 'No time' },
      ],
      { running: new Set(['c']), current: 'a', now: NOW },
    );
    assert.deepEqual(
      entries.map((e) => (e.kind === 'group' ? `# ${e.label}` : `${e.label} | ${e.description}`)),
      [
        '# Today',
        'Fix the parser | 5 min ago · test · current',
        '$(loading~spin) Untitled session | running · ollama:llama3.2',
        '# Yesterday',
        '$(loading~spin) Untitled session | running',
        '# Older',
        'Old one | 40 days ago',
        'No time | unknown time',
      ],
    );
  });

  it('marks a session whose permission prompt waits for the user, ahead of its running badge', () => {
    const [, entry] = historyEntries([{ sessionId: 'b', cwd: '/w', title: 'Background', updatedAt: at(60_000) }], { running: new Set(['b']), waiting: new Set(['b']), current: 'a', now: NOW });
    assert.ok(entry.kind === 'session');
    assert.equal(entry.label, '$(bell-dot) Background');
    assert.equal(entry.description, 'waiting for your answer');
  });

  it('says how long ago in plain words', () => {
    assert.equal(ago(NOW - 10_000, NOW), 'just now');
    assert.equal(ago(NOW - 3 * H, NOW), '3 h ago');
    assert.equal(ago(NOW - 25 * H, NOW), '1 day ago');
    assert.equal(ago(NOW + H, NOW), 'just now', 'a clock ahead of ours is not "in the future"');
  });
});

describe('listSessions', () => {
  it('follows the cursor page after page, filtered by cwd, up to the cap', async () => {
    const asked: unknown[] = [];
    const pages: Record<string, { sessions: { sessionId: string; cwd: string }[]; nextCursor?: string }> = {
      first: { sessions: [{ sessionId: '1', cwd: '/w' }, { sessionId: '2', cwd: '/w' }], nextCursor: 'p2' },
      p2: { sessions: [{ sessionId: '3', cwd: '/w' }], nextCursor: 'p3' },
      p3: { sessions: [{ sessionId: '4', cwd: '/w' }] },
    };
    const client = {
      request: <T>(method: string, params: unknown) => {
        asked.push([method, params]);
        return Promise.resolve(pages[(params as { cursor?: string }).cursor ?? 'first'] as T);
      },
    };
    assert.deepEqual((await listSessions(client, '/w')).map((s) => s.sessionId), ['1', '2', '3', '4']);
    assert.deepEqual(asked[0], ['session/list', { cwd: '/w' }]);
    assert.deepEqual(asked[1], ['session/list', { cwd: '/w', cursor: 'p2' }]);
    asked.length = 0;
    assert.deepEqual((await listSessions(client, undefined, 2)).map((s) => s.sessionId), ['1', '2']);
    assert.deepEqual(asked, [['session/list', {}]], 'no page is fetched past the cap');
  });

  it('lists every folder of a multi-root workspace, merged newest first, up to the cap', async () => {
    const byCwd: Record<string, { sessionId: string; cwd: string; updatedAt?: string }[]> = {
      '/a': [{ sessionId: 'a1', cwd: '/a', updatedAt: at(1 * H) }, { sessionId: 'a2', cwd: '/a', updatedAt: at(5 * H) }],
      '/b': [{ sessionId: 'b1', cwd: '/b', updatedAt: at(2 * H) }, { sessionId: 'b2', cwd: '/b' }],
    };
    const asked: string[] = [];
    const client = {
      request: <T>(_method: string, params: unknown) => {
        const { cwd } = params as { cwd: string };
        asked.push(cwd);
        return Promise.resolve({ sessions: byCwd[cwd] } as T);
      },
    };
    assert.deepEqual((await listSessionsOf(client, ['/a', '/b', '/a'])).map((s) => s.sessionId), ['a1', 'b1', 'a2', 'b2']);
    assert.deepEqual(asked, ['/a', '/b'], 'a folder listed twice is asked once');
    assert.deepEqual((await listSessionsOf(client, ['/a', '/b'], 2)).map((s) => s.sessionId), ['a1', 'b1']);
  });

  it('a failing page fails the list (the History shows why)', async () => {
    const client = { request: () => Promise.reject(new Error('session/list (request 4) failed: boom')) };
    await assert.rejects(listSessions(client, '/w'), /boom/);
  });
});

describe('the local server data dir', () => {
  it('is one dir per workspace under global storage, stable across runs', () => {
    const a = sessionDataDir('/gs', '/home/u/project');
    assert.equal(a, sessionDataDir('/gs', '/home/u/project'));
    assert.notEqual(a, sessionDataDir('/gs', '/home/u/other'));
    assert.match(a, /^\/gs\/sessions\/[0-9a-f]{16}$/);
    assert.equal(sessionDataDir('/gs', undefined), '/gs/sessions/no-folder');
  });

  it('knows a multi-root workspace by its .code-workspace file, so reordering its folders keeps its sessions', () => {
    const file = { scheme: 'file', fsPath: '/home/u/team.code-workspace' };
    assert.equal(workspaceIdentity(file, ['/a', '/b']), workspaceIdentity(file, ['/b', '/a']));
    assert.equal(workspaceIdentity(file, ['/a']), '/home/u/team.code-workspace');
    assert.equal(workspaceIdentity({ scheme: 'untitled', fsPath: 'Untitled-1' }, ['/a', '/b']), '/a', 'an unsaved workspace: its first folder');
    assert.equal(workspaceIdentity(undefined, ['/a']), '/a');
    assert.equal(workspaceIdentity(undefined, []), undefined);
  });
});

describe('UpdateMapper replaying a session (session/load)', () => {
  it('rebuilds questions with their chips, answers and tool cards in order', () => {
    const model = new TranscriptModel();
    let n = 0;
    const mapper = new UpdateMapper(model, (prefix) => `${prefix}-${++n}`);
    const feed = (update: SessionUpdate) => {
      for (const op of mapper.map('s1', update)) assert.equal(model.apply(op), true, JSON.stringify(op));
    };
    const user = (content: SessionUpdate & { sessionUpdate: 'user_message_chunk' }) => feed(content);
    user({ sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'What does this do?' } });
    user({ sessionUpdate: 'user_message_chunk', content: { type: 'resource', resource: { uri: 'file:///w/src/a.ts', text: 'x', mimeType: 'text/plain' } } });
    user({ sessionUpdate: 'user_message_chunk', content: { type: 'image', mimeType: 'image/png', data: 'AAAA' } });
    feed({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'It ' } });
    feed({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'parses.' } });
    feed({ sessionUpdate: 'tool_call', toolCallId: 'call-1', title: 'Read a.ts', kind: 'read', status: 'completed' });
    user({ sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'And then?' } });
    feed({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Done.' } });
    assert.deepEqual(model.snapshot(), [
      { kind: 'user', id: 'user-1', text: 'What does this do?', attachments: [{ kind: 'selection', name: 'a.ts' }, { kind: 'image', name: 'image' }] },
      { kind: 'agent', id: 'agent-2', text: 'It parses.' },
      { kind: 'tool', id: 'tool:s1:call-1', title: 'Read a.ts', toolKind: 'read', status: 'completed', detail: '', locations: [], terminalIds: [] },
      { kind: 'user', id: 'user-3', text: 'And then?' },
      { kind: 'agent', id: 'agent-4', text: 'Done.' },
    ]);
    assert.equal(mapper.lastQuestionId, 'user-3', 'a turn still running belongs to the last question');
  });
});
