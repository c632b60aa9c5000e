/**
 * The chat webview's entry point. It owns no state worth keeping: the host sends the whole transcript after
 * every `ready` and deltas after that. Every message from the host is validated before it is used.
 */
import './zodSetup';
import { Banner } from './banner';
import { Composer } from './composer';
import { EmptyState } from './emptyState';
import { el } from './items';
import { JumpToLatest } from './jumpToLatest';
import { createMarkdownRenderer } from './markdown';
import { parseHostMessage, type ChatStatus, type HostMessage, type WebviewMessage } from './protocol';
import { TranscriptView } from './transcriptView';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

const banner = new Banner(document, el(document, 'div', 'banner'), post);
banner.element.hidden = true;
const scroller = el(document, 'main', 'scroller');
const list = el(document, 'div', 'transcript');
list.setAttribute('role', 'log');
list.setAttribute('aria-live', 'polite');
const empty = new EmptyState(document, post);
scroller.append(empty.element, list);
const composer = new Composer(document, post);
const jump = new JumpToLatest(document, () => transcript.jumpToEnd());
// The banner, transcript and composer are laid out one after another: the banner never covers a message.
const middle = el(document, 'div', 'middle');
middle.append(scroller, jump.element);
document.body.append(banner.element, middle, composer.element);

const transcript = new TranscriptView(document, list, scroller, createMarkdownRenderer(window), (cb) => requestAnimationFrame(cb), post, (following) => jump.setFollowing(following));
let status: ChatStatus | undefined;

function applyStatus(next: ChatStatus): void {
  const turnEnded = status?.busy === true && !next.busy;
  status = next;
  composer.setBusy(next.busy);
  composer.setSession(next.session);
  empty.update(next.session);
  jump.setStreaming(next.busy);
  banner.show(next.connection);
  if (turnEnded) transcript.finishAnswers();
}

/** Runs after every message, and writes only when the empty state changes. */
function refreshEmptyState(): void {
  const hidden = !transcript.isEmpty;
  if (empty.element.hidden !== hidden) empty.element.hidden = hidden;
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
    case 'mentioned':
      composer.mentioned(message.uri, message.name);
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

// Escape stops a running answer wherever the focus is in the chat view (the slash menu uses it first).
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && status?.busy && !event.defaultPrevented) post({ type: 'cancel' });
});

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
