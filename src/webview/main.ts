/**
 * The chat webview's entry point. It owns no state worth keeping: the host sends the whole transcript after
 * every `ready` and deltas after that. Every message from the host is validated before it is used.
 */
import { z } from 'zod';
import { Banner } from './banner';
import { Composer } from './composer';
import { el } from './items';
import { createMarkdownRenderer } from './markdown';
import { parseHostMessage, type ChatStatus, type HostMessage, type WebviewMessage } from './protocol';
import { TranscriptView } from './transcriptView';

// zod compiles schemas with `new Function` unless told not to; the CSP has no 'unsafe-eval'.
z.config({ jitless: true });

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

const banner = new Banner(document, el(document, 'div', 'banner'), post);
banner.element.hidden = true;
const scroller = el(document, 'main', 'scroller');
const list = el(document, 'div', 'transcript');
list.setAttribute('role', 'log');
list.setAttribute('aria-live', 'polite');
const empty = el(document, 'div', 'empty-state');
empty.append(el(document, 'div', 'empty-title', 'Ask Punie'), el(document, 'div', 'muted', 'Ask about your code. Answers stream here; tools run in your editor.'));
scroller.append(empty, list);
const composer = new Composer(document, post);
document.body.append(banner.element, scroller, composer.element);

const transcript = new TranscriptView(document, list, scroller, createMarkdownRenderer(window), (cb) => requestAnimationFrame(cb), post);
let status: ChatStatus | undefined;

function applyStatus(next: ChatStatus): void {
  const turnEnded = status?.busy === true && !next.busy;
  status = next;
  composer.setBusy(next.busy);
  banner.show(next.connection);
  if (turnEnded) transcript.finishAnswers();
}

function refreshEmptyState(): void {
  empty.hidden = !transcript.isEmpty;
}

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'init':
      transcript.reset(message.items, !message.status.busy);
      applyStatus(message.status);
      break;
    case 'ops':
      transcript.apply(message.ops);
      break;
    case 'status':
      applyStatus(message.status);
      break;
    case 'focusInput':
      composer.focus();
      break;
    case 'draft':
      composer.restore(message.text);
      break;
    case 'probe':
      post({
        type: 'probeReport',
        probeId: message.probeId,
        report: { items: transcript.report(), banner: banner.text, busy: status?.busy ?? false, inputEnabled: !composer.input.disabled, draft: composer.input.value },
      });
      break;
    case 'probeChoose':
      list.querySelector<HTMLButtonElement>(`[data-id="${CSS.escape(message.id)}"] button[data-option-id="${CSS.escape(message.optionId)}"]`)?.click();
      break;
  }
  refreshEmptyState();
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseHostMessage(event.data);
  if (!parsed.ok) {
    post({ type: 'error', message: parsed.error.slice(0, 4000) });
    return;
  }
  try {
    handle(parsed.message);
  } catch (err) {
    post({ type: 'error', message: `webview failed on ${parsed.message.type}: ${(err as Error).message}`.slice(0, 4000) });
  }
});

post({ type: 'ready' });
