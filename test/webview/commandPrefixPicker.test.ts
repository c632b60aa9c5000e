import assert from 'node:assert/strict';
import { renderPermission } from '../../src/webview/items';
import type { ItemOf, WebviewMessage } from '../../src/webview/protocol';
import { domWindow } from '../helpers/dom';

const options: ItemOf<'permission'>['options'] = [
  { optionId: 'allow_once', name: 'Allow', kind: 'allow_once' },
  { optionId: 'allow_always', name: 'Always allow this exact command in this session', kind: 'allow_always' },
  { optionId: 'reject_once', name: 'Reject', kind: 'reject_once' },
];
const command = { shell: 'sh -c', line: 'npm test -- --grep a', cwd: '/w', env: [] };
const card = (outcome: string | null, extra: Partial<ItemOf<'permission'>> = {}): ItemOf<'permission'> => ({
  kind: 'permission',
  id: 'p',
  title: 'Run this command?',
  detail: '',
  command,
  options,
  outcome,
  prefixes: ['npm', 'npm test', 'npm test --'],
  ...extra,
});

describe('permission card: what "Always allow" covers', () => {
  it('offers the exact command (default) or a prefix, relabels the button, and posts the chosen word count', () => {
    const { document } = domWindow();
    const posted: WebviewMessage[] = [];
    const root = renderPermission(document, card(null), (m) => posted.push(m));
    const select = root.querySelector('select.permission-prefix-select') as HTMLSelectElement;
    assert.deepEqual([...select.options].map((o) => o.textContent), ['this exact command', 'commands starting with `npm`', 'commands starting with `npm test`', 'commands starting with `npm test --`']);
    const always = root.querySelector('button[data-option-id="allow_always"]') as HTMLButtonElement;
    assert.equal(always.textContent, 'Always allow this exact command in this session');
    select.value = '2';
    select.dispatchEvent(new document.defaultView!.Event('change'));
    assert.equal(always.textContent, 'Always allow commands starting with `npm test` in this session');
    always.click();
    assert.deepEqual(posted, [{ type: 'permission', id: 'p', optionId: 'allow_always', prefix: 2 }]);
    assert.equal(root.querySelector('select'), null, 'the choice is made');
  });

  it('posts no prefix for the exact command or another option, and shows no picker without prefixes', () => {
    const { document } = domWindow();
    const posted: WebviewMessage[] = [];
    const root = renderPermission(document, card(null), (m) => posted.push(m));
    const select = root.querySelector('select') as HTMLSelectElement;
    select.value = '1';
    select.dispatchEvent(new document.defaultView!.Event('change'));
    (root.querySelector('button[data-option-id="allow_once"]') as HTMLButtonElement).click();
    (renderPermission(document, card(null), (m) => posted.push(m)).querySelector('button[data-option-id="allow_always"]') as HTMLButtonElement).click();
    assert.deepEqual(posted, [
      { type: 'permission', id: 'p', optionId: 'allow_once' },
      { type: 'permission', id: 'p', optionId: 'allow_always' },
    ]);
    assert.equal(renderPermission(document, card(null, { prefixes: undefined }), () => undefined).querySelector('select'), null);
  });

  it('once decided (and after a reload) says which prefix was allowed', () => {
    const { document } = domWindow();
    const root = renderPermission(document, card('allow_always', { chosenPrefix: 1 }), () => undefined);
    assert.equal(root.querySelector('select'), null);
    assert.equal(root.querySelector('.permission-outcome')?.textContent, 'You chose: Always allow commands starting with `npm` in this session');
    assert.deepEqual([...root.querySelectorAll('button')].map((b) => b.textContent), ['Always allow commands starting with `npm` in this session']);
  });
});
