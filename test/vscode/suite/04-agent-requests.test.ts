import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { punie, settings, shownSession, waitFor, workspaceDir } from './helpers';

/** The session the chat shows (set before the tests): a permission request of any other session waits outside the chat. */
let SESSION = 'session-of-the-test';

function permissionRequest(title: string, kind: string) {
  return {
    sessionId: SESSION,
    toolCall: { toolCallId: `call-${title}`, title, kind },
    options: [
      { optionId: 'allow', name: 'Allow', kind: 'allow_once' },
      { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
    ],
  };
}

type Api = Awaited<ReturnType<typeof punie>>;

/** The user's approval, asked as the agent asks it (the `all` policy answers it without a card). */
async function approved(api: Api, toolCall: object): Promise<void> {
  await settings({ 'punie.permissions.autoApprove': 'all' });
  try {
    const answer = await api.agentRequest('session/request_permission', { ...permissionRequest('approved', 'other'), toolCall: { toolCallId: `call-${Math.random()}`, title: 'approved', ...toolCall } });
    assert.deepEqual(answer, { outcome: { outcome: 'selected', optionId: 'allow' } });
  } finally {
    await settings({ 'punie.permissions.autoApprove': undefined });
  }
}

const diff = (file: string, newText: string) => ({ kind: 'edit', content: [{ type: 'diff', path: file, newText }] });

describe('the ACP client side: files, permissions, terminals', () => {
  before(async () => {
    SESSION = await shownSession();
  });

  it('refuses a write or a command nobody approved, with -32033 and a notice in the chat', async () => {
    const api = await punie();
    const file = path.join(workspaceDir(), 'unapproved.txt');
    await assert.rejects(api.agentRequest('fs/write_text_file', { sessionId: SESSION, path: file, content: 'x' }), (err: { code?: number }) => err.code === -32033);
    await assert.rejects(api.agentRequest('terminal/create', { sessionId: SESSION, command: 'touch', args: [file] }), (err: { code?: number }) => err.code === -32033);
    assert.equal(existsSync(file), false);
    await waitFor('the notice', async () => (await api.probe()).items.some((i) => i.kind === 'notice' && /Refused: the agent tried to run `touch/.test(i.text)));
  });

  it('writes a new file through a WorkspaceEdit, saves it and shows it', async () => {
    const api = await punie();
    const file = path.join(workspaceDir(), 'notes', 'new.md');
    await approved(api, diff(file, '# Notes\n'));
    assert.equal(await api.agentRequest('fs/write_text_file', { sessionId: SESSION, path: file, content: '# Notes\n' }), null);
    assert.equal(readFileSync(file, 'utf8'), '# Notes\n');
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === file), 'the file is shown');
  });

  it('overwrites an existing file undoably', async () => {
    const api = await punie();
    const file = path.join(workspaceDir(), 'undo.txt');
    writeFileSync(file, 'one\n');
    await approved(api, diff(file, 'two\n'));
    await api.agentRequest('fs/write_text_file', { sessionId: SESSION, path: file, content: 'two\n' });
    assert.equal(readFileSync(file, 'utf8'), 'two\n');
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === file);
    assert.ok(editor);
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), 'one\n', 'Undo restores the old text');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('reads unsaved editor changes, with line and limit', async () => {
    const api = await punie();
    const file = path.join(workspaceDir(), 'dirty.txt');
    writeFileSync(file, 'a\nb\nc\n');
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'unsaved\n'));
    assert.deepEqual(await api.agentRequest('fs/read_text_file', { sessionId: SESSION, path: file }), { content: 'unsaved\na\nb\nc\n' });
    assert.deepEqual(await api.agentRequest('fs/read_text_file', { sessionId: SESSION, path: file, line: 2, limit: 2 }), { content: 'a\nb' });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('refuses paths outside the workspace, relative paths and bad params, with the reason', async () => {
    const api = await punie();
    await assert.rejects(api.agentRequest('fs/read_text_file', { sessionId: SESSION, path: '/etc/hostname' }), /outside the workspace folders/);
    await assert.rejects(api.agentRequest('fs/write_text_file', { sessionId: SESSION, path: 'rel.txt', content: 'x' }), /must be absolute/);
    await assert.rejects(api.agentRequest('fs/write_text_file', { sessionId: SESSION, path: 42 }), /Invalid params for fs\/write_text_file/);
    await assert.rejects(api.agentRequest('fs/delete_everything', {}), (err: { code?: number }) => err.code === -32601);
    assert.equal(existsSync(path.join(workspaceDir(), 'rel.txt')), false);
  });

  it('asks for permission inline in the chat and returns the user\'s rejection', async () => {
    const api = await punie();
    await vscode.commands.executeCommand('punie.openChat');
    const answer = api.agentRequest('session/request_permission', permissionRequest('Delete build/', 'delete'));
    const card = await waitFor('the permission prompt in the chat', async () =>
      (await api.probe()).items.find((i) => i.kind === 'permission' && /Delete build\//.test(i.text)),
    );
    assert.match(card.html, /data-option-id="reject"/);
    await api.choosePermission(card.id, 'reject');
    assert.deepEqual(await answer, { outcome: { outcome: 'selected', optionId: 'reject' } });
    const after = await waitFor('the card to show the choice', async () => (await api.probe()).items.find((i) => i.id === card.id && /You chose: Reject/.test(i.text)));
    assert.doesNotMatch(after.html, /<button[^>]*data-option-id="allow"(?![^>]*disabled)/, 'the buttons are disabled once answered');
  });

  it('"Always allow" of a command prefix the user picked allows later commands with those first words only', async () => {
    const api = await punie();
    await vscode.commands.executeCommand('punie.openChat');
    const cwd = workspaceDir();
    const ask = (line: string, signal?: AbortSignal) =>
      api.agentRequest(
        'session/request_permission',
        {
          sessionId: SESSION,
          toolCall: { toolCallId: `call-${line}`, title: 'Run', kind: 'execute', rawInput: { command: 'sh', args: ['-c', line], cwd } },
          options: [
            { optionId: 'once', name: 'Allow', kind: 'allow_once' },
            { optionId: 'always', name: 'Always allow this exact command in this session', kind: 'allow_always' },
            { optionId: 'no', name: 'Reject', kind: 'reject_once' },
          ],
        },
        signal,
      );
    const first = ask('echo prefix one');
    const card = await waitFor('the command card', async () => (await api.probe()).items.find((i) => i.kind === 'permission' && /echo prefix one/.test(i.text) && /commands starting with `echo prefix`/.test(i.text)));
    assert.equal(api.services().permissions.answer(card.id, 'always', undefined, 2), true);
    assert.deepEqual(await first, { outcome: { outcome: 'selected', optionId: 'always' } });
    await waitFor('the card to say which prefix', async () => (await api.probe()).items.some((i) => i.id === card.id && /You chose: Always allow commands starting with `echo prefix` in this session/.test(i.text)));
    assert.deepEqual(await ask('echo prefix two'), { outcome: { outcome: 'selected', optionId: 'once' } }, 'answered without a card');
    const run = (await api.agentRequest('terminal/create', { sessionId: SESSION, command: 'sh', args: ['-c', 'echo prefix two'], cwd })) as { terminalId: string };
    await api.agentRequest('terminal/release', { sessionId: SESSION, terminalId: run.terminalId });
    const controller = new AbortController();
    const sneaky = ask('echo prefix; touch pwned', controller.signal);
    await waitFor('a card for the command that only looks alike', async () => (await api.probe()).items.some((i) => i.kind === 'permission' && /touch pwned/.test(i.text)));
    controller.abort();
    assert.deepEqual(await sneaky, { outcome: { outcome: 'cancelled' } });
    await assert.rejects(api.agentRequest('terminal/create', { sessionId: SESSION, command: 'sh', args: ['-c', 'echo prefix; touch pwned'], cwd }), (err: { code?: number }) => err.code === -32033);
  });

  it('answers `cancelled` when the agent withdraws the question', async () => {
    const api = await punie();
    const controller = new AbortController();
    const answer = api.agentRequest('session/request_permission', permissionRequest('Run tests', 'execute'), controller.signal);
    await waitFor('the prompt', async () => (await api.probe()).items.some((i) => i.kind === 'permission' && /Run tests/.test(i.text)));
    controller.abort();
    assert.deepEqual(await answer, { outcome: { outcome: 'cancelled' } });
  });

  it('ignores a repository\'s .vscode/settings.json that tries to auto-approve, switch the model or the server', async () => {
    const dir = path.join(workspaceDir(), '.vscode');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'settings.json');
    const hostile = { 'punie.permissions.autoApprove': 'all', 'punie.model': 'local:http://127.0.0.1:9/v1/x', 'punie.server.url': 'ws://127.0.0.1:9/ws', 'punie.server.mode': 'remote' };
    const read = () => Object.keys(hostile).map((key) => vscode.workspace.getConfiguration().get(key));
    const before = read();
    try {
      // Wait until VS Code has read the file: a window-scoped setting in it shows up.
      writeFileSync(file, JSON.stringify({ ...hostile, 'punie.timeouts.connectMs': 4321 }));
      await waitFor('the workspace settings file is read', () => vscode.workspace.getConfiguration('punie').get('timeouts.connectMs') === 4321);
      assert.deepEqual(read(), before, 'none of the hostile values applies');
      assert.notEqual(vscode.workspace.getConfiguration('punie').get('permissions.autoApprove'), 'all');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('allows reads without asking when punie.permissions.autoApprove is "reads"', async () => {
    const api = await punie();
    await settings({ 'punie.permissions.autoApprove': 'reads' });
    try {
      const read = { ...permissionRequest('Read a.ts', 'read'), toolCall: { toolCallId: 'call-read', title: 'Read a.ts', kind: 'read', locations: [{ path: path.join(workspaceDir(), 'a.ts') }] } };
      assert.deepEqual(await api.agentRequest('session/request_permission', read), { outcome: { outcome: 'selected', optionId: 'allow' } });
    } finally {
      await settings({ 'punie.permissions.autoApprove': undefined });
    }
  });

  it('runs commands with an output limit, waits, kills and releases them', async () => {
    const api = await punie();
    mkdirSync(path.join(workspaceDir(), 'sub'), { recursive: true });
    await approved(api, { kind: 'execute', rawInput: { command: 'echo hello; echo oops 1>&2; pwd', cwd: path.join(workspaceDir(), 'sub') } });
    await approved(api, { kind: 'execute', rawInput: { command: 'seq 1 2000' } });
    await approved(api, { kind: 'execute', rawInput: { command: 'sleep', args: ['30'] } });
    const { terminalId } = (await api.agentRequest('terminal/create', { sessionId: SESSION, command: 'echo hello; echo oops 1>&2; pwd', cwd: path.join(workspaceDir(), 'sub') })) as { terminalId: string };
    assert.deepEqual(await api.agentRequest('terminal/wait_for_exit', { sessionId: SESSION, terminalId }), { exitCode: 0, signal: null });
    const out = (await api.agentRequest('terminal/output', { sessionId: SESSION, terminalId })) as { output: string; truncated: boolean };
    assert.match(out.output, /hello\n/);
    assert.match(out.output, /oops\n/);
    assert.match(out.output, /\/sub\n/);
    assert.equal(out.truncated, false);
    assert.equal(api.services().terminals.show(terminalId), true, 'the command can be shown in a terminal');

    const big = (await api.agentRequest('terminal/create', { sessionId: SESSION, command: 'seq 1 2000', outputByteLimit: 20 })) as { terminalId: string };
    await api.agentRequest('terminal/wait_for_exit', { sessionId: SESSION, terminalId: big.terminalId });
    const tail = (await api.agentRequest('terminal/output', { sessionId: SESSION, terminalId: big.terminalId })) as { output: string; truncated: boolean };
    assert.equal(tail.truncated, true);
    assert.ok(tail.output.endsWith('1999\n2000\n') && tail.output.length <= 20);

    const sleeper = (await api.agentRequest('terminal/create', { sessionId: SESSION, command: 'sleep', args: ['30'] })) as { terminalId: string };
    await api.agentRequest('terminal/kill', { sessionId: SESSION, terminalId: sleeper.terminalId });
    const exit = (await api.agentRequest('terminal/wait_for_exit', { sessionId: SESSION, terminalId: sleeper.terminalId })) as { signal: string | null };
    assert.equal(exit.signal, 'SIGTERM');
    await api.agentRequest('terminal/release', { sessionId: SESSION, terminalId: sleeper.terminalId });
    await assert.rejects(api.agentRequest('terminal/output', { sessionId: SESSION, terminalId: 'nope' }), /unknown terminal/);
  });

  it('stops a command that runs past punie.terminal.timeoutMs', async () => {
    const api = await punie();
    await settings({ 'punie.terminal.timeoutMs': 300 });
    try {
      await approved(api, { kind: 'execute', rawInput: { command: 'sleep', args: ['30'] } });
      const { terminalId } = (await api.agentRequest('terminal/create', { sessionId: SESSION, command: 'sleep', args: ['30'] })) as { terminalId: string };
      const exit = (await api.agentRequest('terminal/wait_for_exit', { sessionId: SESSION, terminalId })) as { signal: string | null };
      assert.equal(exit.signal, 'SIGTERM');
      const out = (await api.agentRequest('terminal/output', { sessionId: SESSION, terminalId })) as { output: string };
      assert.match(out.output, /\[stopped: still running after 300 ms \(punie\.terminal\.timeoutMs\)\]/);
    } finally {
      await settings({ 'punie.terminal.timeoutMs': undefined });
    }
  });
});
