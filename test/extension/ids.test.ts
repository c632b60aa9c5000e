import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandHandlers } from '../../src/extension/commands';
import { CHAT_VIEW_ID, COMMAND_IDS } from '../../src/extension/ids';

describe('contribution ids (src/extension/ids.ts against package.json)', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
    activationEvents: string[];
    contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> };
  };

  it('lists exactly the contributed commands, each with its activation event', () => {
    const contributed = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual([...COMMAND_IDS].sort(), contributed);
    for (const id of COMMAND_IDS) assert.ok(pkg.activationEvents.includes(`onCommand:${id}`), `onCommand:${id}`);
  });

  it('names the contributed chat view, with its activation event', () => {
    const views = Object.values(pkg.contributes.views).flat().map((v) => v.id);
    assert.ok(views.includes(CHAT_VIEW_ID), `${CHAT_VIEW_ID} is a contributed view`);
    assert.ok(pkg.activationEvents.includes(`onView:${CHAT_VIEW_ID}`));
  });
});

describe('CommandHandlers (typed by command id)', () => {
  it('does not compile without a handler for every command id', () => {
    // @ts-expect-error: the other command ids have no handler. If this line compiles, the type stopped checking.
    const partial: CommandHandlers = { 'punie.ask': () => undefined };
    assert.equal(Object.keys(partial).length, 1);
  });
});
