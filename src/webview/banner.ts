/** The connection banner above the transcript: reconnecting in Ns · retry now, offline, failed, session expired. */
import { el, icon, type Post } from './items';
import type { ConnectionView } from './protocol';

export interface BannerContent {
  level: 'info' | 'warning' | 'error';
  icon: string;
  text: string;
  actions: { label: string; message: 'retryNow' | 'showLogs' | 'newSession' }[];
}

/** What the banner says for a connection state; undefined hides it. `now` and `receivedAt` give the countdown. */
export function bannerContent(view: ConnectionView, receivedAt: number, now: number): BannerContent | undefined {
  const detail = view.detail ? ` ${view.detail}` : '';
  switch (view.status) {
    case 'idle':
    case 'connected':
      return view.sessionExpired
        ? { level: 'info', icon: 'history', text: 'The previous session has ended. Your next question starts a new one.', actions: [] }
        : undefined;
    case 'connecting':
      return { level: 'info', icon: 'loading codicon-modifier-spin', text: `Connecting to the ${view.mode} Punie server…`, actions: [] };
    case 'reconnecting': {
      const seconds = Math.max(0, Math.ceil(((view.retryInMs ?? 0) - (now - receivedAt)) / 1000));
      const when = seconds > 0 ? `in ${seconds}s` : 'now';
      return {
        level: 'warning',
        icon: 'debug-disconnect',
        text: `Connection lost${view.detail ? ` (${view.detail})` : ''}. Reconnecting ${when}…`,
        actions: [{ label: 'Retry now', message: 'retryNow' }],
      };
    }
    case 'offline':
      return { level: 'warning', icon: 'debug-disconnect', text: `Offline.${detail}`, actions: [{ label: 'Reconnect', message: 'retryNow' }] };
    case 'failed':
      return {
        level: 'error',
        icon: 'error',
        text: `Cannot reach the Punie server.${detail}`,
        actions: [
          { label: 'Retry', message: 'retryNow' },
          { label: 'Show logs', message: 'showLogs' },
        ],
      };
  }
}

export class Banner {
  private view: ConnectionView | undefined;
  private receivedAt = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly document: Document,
    readonly element: HTMLElement,
    private readonly post: Post,
  ) {}

  show(view: ConnectionView): void {
    this.view = view;
    this.receivedAt = Date.now();
    this.render();
    const counting = view.status === 'reconnecting' && (view.retryInMs ?? 0) > 0;
    if (counting && !this.timer) this.timer = setInterval(() => this.render(), 1000);
    if (!counting && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  get text(): string {
    return this.element.hidden ? '' : (this.element.textContent ?? '');
  }

  private render(): void {
    const content = this.view && bannerContent(this.view, this.receivedAt, Date.now());
    this.element.hidden = !content;
    if (!content) {
      this.element.replaceChildren();
      return;
    }
    this.element.className = `banner banner-${content.level}`;
    const actions = content.actions.map((action) => {
      const button = el(this.document, 'button', 'link-button', action.label);
      button.addEventListener('click', () => this.post({ type: action.message }));
      return button;
    });
    this.element.replaceChildren(icon(this.document, content.icon), el(this.document, 'span', 'banner-text', content.text), ...actions);
  }
}
