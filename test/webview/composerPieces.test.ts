import assert from 'node:assert/strict';
import { SessionState } from '../../src/extension/sessionState';
import { LOCAL_COMMANDS, localCommand, matchCommands } from '../../src/webview/slashCommands';
import { formatTokens, usageText } from '../../src/webview/usage';

describe('composer pieces', () => {
  it('completes slash commands by prefix until a space is typed, and knows the chat’s own', () => {
    const all = [...LOCAL_COMMANDS, { name: 'model', description: 'm' }, { name: 'mode', description: 'd' }];
    assert.deepEqual(matchCommands('/', all).map((c) => c.name), ['new', 'clear', 'model', 'mode']);
    assert.deepEqual(matchCommands('/mod', all).map((c) => c.name), ['model', 'mode']);
    assert.deepEqual(matchCommands('/mode read', all), []);
    assert.deepEqual(matchCommands('hello /m', all), []);
    assert.equal(localCommand(' /new ')?.local, 'newSession');
    assert.equal(localCommand('/clear')?.local, 'clear');
    assert.equal(localCommand('/model test'), undefined);
  });

  it('shows usage compactly, and only the count when the context size is unknown', () => {
    assert.equal(formatTokens(950), '950');
    assert.equal(formatTokens(8192), '8.2k');
    assert.equal(formatTokens(128_000), '128k');
    assert.equal(usageText({ used: 1234, size: 8192 })?.text, '1.2k / 8.2k');
    assert.match(usageText({ used: 1234, size: 8192 })!.title, /15%/);
    assert.equal(usageText({ used: 42, size: 0 })?.text, '42 tokens');
    assert.equal(usageText(undefined), undefined);
  });

  it('keeps the session’s options, commands and usage from its updates', () => {
    const state = new SessionState();
    assert.equal(state.view('ollama:x', false).model.current, 'ollama:x', 'before a session: the configured model');
    const options = [
      { type: 'select' as const, id: 'model', name: 'Model', category: 'model', currentValue: 'test', options: [{ value: 'test', name: 'test' }] },
      { type: 'select' as const, id: 'mode', name: 'Mode', category: 'mode', currentValue: 'default', options: [{ value: 'default', name: 'Default' }, { value: 'read-only', name: 'Read only' }] },
    ];
    state.reset(options);
    assert.equal(state.apply({ sessionUpdate: 'available_commands_update', availableCommands: [{ name: 'model', description: 'Switch', input: { hint: 'a model' } }] }), true);
    assert.equal(state.apply({ sessionUpdate: 'usage_update', used: 10, size: 100 }), true);
    assert.equal(state.apply({ sessionUpdate: 'current_mode_update', currentModeId: 'read-only' }), true);
    assert.equal(state.apply({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'x' } }), false);
    const view = state.view('ignored', true);
    assert.deepEqual([view.model.current, view.mode.current, view.commands[0].hint, view.usage?.used, view.images], ['test', 'read-only', 'a model', 10, true]);
    state.reset(undefined);
    assert.deepEqual([state.view('m', false).commands, state.view('m', false).usage], [[], undefined]);
    // A new session's commands that arrive before its id is known are kept for it, and only for it.
    assert.equal(state.apply({ sessionUpdate: 'available_commands_update', availableCommands: [{ name: 'mode', description: 'd' }] }, 's2'), true);
    assert.equal(state.apply({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'x' } }, 's2'), false);
    state.reset(options, 's2');
    assert.deepEqual(state.view('m', false).commands.map((c) => c.name), ['mode']);
    state.apply({ sessionUpdate: 'available_commands_update', availableCommands: [{ name: 'x', description: 'd' }] }, 's3');
    state.reset(options, 's4');
    assert.deepEqual(state.view('m', false).commands, []);
  });
});
