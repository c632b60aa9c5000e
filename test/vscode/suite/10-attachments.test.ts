import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FakeOpenAi, textStream } from '../../fixtures/fakeOpenAi';
import { agentText, punie, settings, waitFor, workspaceDir } from './helpers';

/** A 1×1 PNG, as the composer reads a pasted or dropped image (base64). */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('attachments of a question (an @ mention and an image) reach an OpenAI-compatible model', () => {
  let fake: FakeOpenAi;
  const file = () => path.join(workspaceDir(), 'mention-me.txt');

  before(async () => {
    fake = await FakeOpenAi.start();
    writeFileSync(file(), 'MENTIONED-CONTENT-42\n');
    // The user's model is the one the local server allows besides the built-in ones; it reads it as it starts.
    await settings({ 'punie.server.mode': 'local', 'punie.model': `local:${fake.baseURL}/echo` });
    await vscode.commands.executeCommand('punie.restartLocalServer');
  });

  after(async () => {
    await settings({ 'punie.model': undefined, 'punie.server.mode': undefined });
    await vscode.commands.executeCommand('punie.restartLocalServer');
    await fake.close();
    rmSync(file(), { force: true });
  });

  it('shows the file and image chips on the question, and the model gets the file text and the image', async () => {
    const api = await punie();
    await vscode.commands.executeCommand('punie.openChat');
    await vscode.commands.executeCommand('punie.newSession');
    await waitFor('the agent to take images', () => api.services().chat.status().session.images);
    fake.reply(textStream('Got ', 'them'));
    // What the composer sends once a file was picked for `@` and an image pasted.
    api.view.receive({
      type: 'send',
      text: 'What did you get?',
      attachments: [
        { kind: 'file', uri: vscode.Uri.file(file()).toString(), name: 'mention-me.txt' },
        { kind: 'image', name: 'dot.png', mimeType: 'image/png', data: PNG },
      ],
    });
    await waitFor('the answer', async () => agentText(await api.probe()).includes('Got them'));
    const question = (await api.probe()).items.find((i) => i.kind === 'user' && i.text.includes('What did you get?'));
    assert.ok(question, 'the question is shown');
    assert.match(question.html, /class="chip chip-file"[^]*mention-me\.txt/);
    assert.match(question.html, /class="chip chip-image"[^]*dot\.png/);

    const sent = fake.requests.at(-1).messages.at(-1);
    assert.equal(sent.role, 'user');
    const text = sent.content.filter((p: any) => p.type === 'text').map((p: any) => p.text).join('\n');
    assert.match(text, /What did you get\?/);
    assert.match(text, /<context uri="[^"]*mention-me\.txt">\nMENTIONED-CONTENT-42\n/, 'the mentioned file is embedded');
    assert.deepEqual(sent.content.filter((p: any) => p.type === 'image_url'), [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }]);
  });
});
