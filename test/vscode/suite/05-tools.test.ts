import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { agentText, punie, settings, waitFor, workspaceDir } from './helpers';

describe('a turn with tools (the scripted test:tools model)', () => {
  before(async () => {
    await settings({ 'punie.server.mode': 'local', 'punie.model': 'test:tools' });
    writeFileSync(path.join(workspaceDir(), 'README.md'), '# Demo project\n\nSecond paragraph.\n');
    rmSync(path.join(workspaceDir(), 'punie-notes.md'), { force: true });
  });

  after(async () => {
    await settings({ 'punie.model': undefined, 'punie.server.mode': undefined });
  });

  it('reads a file, writes one after the user allows it, and does not run the command the user rejects', async () => {
    const api = await punie();
    await vscode.commands.executeCommand('punie.newSession');
    const asking = vscode.commands.executeCommand('punie.ask', 'Look at README.md and run `echo tool-ran`');

    const write = await waitFor('the permission prompt for the write', async () =>
      (await api.probe()).items.find((i) => i.kind === 'permission' && /Write punie-notes\.md/.test(i.text)),
    );
    await api.choosePermission(write.id, 'allow_once');
    const edit = await waitFor('the review of the edit', async () =>
      (await api.probe()).items.find((i) => i.kind === 'permission' && /Edit punie-notes\.md/.test(i.text)),
    );
    await api.choosePermission(edit.id, 'allow_once');
    const run = await waitFor('the permission prompt for the command', async () =>
      (await api.probe()).items.find((i) => i.kind === 'permission' && /echo tool-ran/.test(i.text)),
    );
    await api.choosePermission(run.id, 'reject_once');
    await asking;

    const notes = readFileSync(path.join(workspaceDir(), 'punie-notes.md'), 'utf8');
    assert.match(notes, /^# Notes from Punie's test model \(reviewed\)\n/);
    assert.match(notes, /I read `README\.md`: 4 lines/);
    assert.match(notes, /Its first line is: # Demo project/);
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath.endsWith('punie-notes.md')), 'the written file is shown');

    const report = await api.probe();
    const tools = report.items.filter((i) => i.kind === 'tool');
    assert.equal(tools.length, 4, tools.map((t) => t.text).join(' | '));
    assert.match(tools[0].html, /tool-status" aria-hidden="true" title="Done"/);
    assert.match(tools[1].html, /tool-status" aria-hidden="true" title="Done"/);
    assert.match(tools[2].html, /tool-status" aria-hidden="true" title="Done"/);
    assert.match(tools[3].html, /tool-status" aria-hidden="true" title="Rejected"/, 'a rejected call is not shown as failed');
    assert.match(tools[1].text, /\+# Notes from Punie's test model/, 'the write card shows the diff');
    const reviews = report.items.filter((i) => i.kind === 'permission' && /review-outcome/.test(i.html));
    assert.deepEqual(reviews.map((r) => /Accepted/.test(r.text)), [true, true], 'decided review cards say Accepted');
    const summary = agentText(report);
    assert.match(summary, /Here is what I did/);
    assert.match(summary, /echo tool-ran was not run: the user rejected it/);
    assert.equal(report.busy, false);
  });
});
