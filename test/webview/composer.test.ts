import assert from 'node:assert/strict';
import { Composer } from '../../src/webview/composer';
import type { WebviewMessage } from '../../src/webview/protocol';
import { domWindow } from '../helpers/dom';

function setup() {
  const document = domWindow().document;
  const posted: WebviewMessage[] = [];
  const composer = new Composer(document, (m) => posted.push(m));
  document.body.append(composer.element);
  const send = (text: string) => {
    composer.input.value = text;
    composer.element.dispatchEvent(new document.defaultView!.Event('submit', { cancelable: true }));
  };
  return { composer, posted, send };
}

describe('Composer', () => {
  it('sends and clears; a question handed back (not sent) returns to the input', () => {
    const { composer, posted, send } = setup();
    send('why is this slow?');
    assert.deepEqual(posted, [{ type: 'send', text: 'why is this slow?' }]);
    assert.equal(composer.input.value, '');
    composer.restore('why is this slow?');
    assert.equal(composer.input.value, 'why is this slow?');
    send(composer.input.value);
    assert.equal(posted.length, 2, 'it can be sent again as it is');
  });

  it('does not overwrite a new question the user started typing', () => {
    const { composer } = setup();
    composer.input.value = 'something else';
    composer.restore('the old question');
    assert.equal(composer.input.value, 'something else');
  });

  it('replaces a question it handed back earlier that is still untouched', () => {
    const { composer } = setup();
    composer.restore('first unsent');
    composer.restore('second unsent');
    assert.equal(composer.input.value, 'second unsent');
    composer.input.value = 'second unsent, edited';
    composer.restore('third unsent');
    assert.equal(composer.input.value, 'second unsent, edited');
  });
});
