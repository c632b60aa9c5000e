/**
 * DOM for the transcript items that are not streamed markdown: user messages, tool-call cards, plans,
 * permission prompts and notices. Everything from the agent is set as text, never as HTML.
 */
import { renderCommand } from './commandView';
import { alwaysLabel, prefixPicker } from './commandPrefixPicker';
import type { AttachmentChip, ItemOf, ToolPermission, WebviewMessage } from './protocol';

export type Post = (message: WebviewMessage) => void;

const TOOL_ICONS: Record<string, string> = {
  read: 'file',
  edit: 'edit',
  delete: 'trash',
  move: 'arrow-swap',
  search: 'search',
  execute: 'terminal',
  think: 'lightbulb',
  fetch: 'cloud-download',
  switch_mode: 'settings-gear',
};

const STATUS_ICONS: Record<string, string> = {
  pending: 'circle-large-outline',
  in_progress: 'loading codicon-modifier-spin',
  completed: 'pass',
  failed: 'error',
  rejected: 'circle-slash',
};

const STATUS_LABELS: Record<string, string> = { pending: 'Pending', in_progress: 'Running', completed: 'Done', failed: 'Failed', rejected: 'Rejected' };

export function el<K extends keyof HTMLElementTagNameMap>(document: Document, tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

export function icon(document: Document, name: string): HTMLElement {
  const span = el(document, 'span', `codicon codicon-${name}`);
  span.setAttribute('aria-hidden', 'true');
  return span;
}

export function renderUser(document: Document, item: ItemOf<'user'>, post: Post): HTMLElement {
  const root = el(document, 'div', 'item user');
  if (item.attachments?.length) {
    const chips = el(document, 'div', 'user-chips');
    chips.append(...item.attachments.map((a) => renderChip(document, a)));
    root.append(chips);
  }
  root.append(el(document, 'div', 'user-text', item.text));
  if (item.checkpoint) {
    const restore = el(document, 'button', 'link-button restore-checkpoint');
    restore.append(icon(document, 'discard'), el(document, 'span', undefined, 'Restore checkpoint'));
    restore.title = 'Put back every file this turn changed (asks first)';
    restore.addEventListener('click', () => post({ type: 'restoreCheckpoint', id: item.id }));
    root.append(restore);
  }
  return root;
}

export function renderThought(document: Document, item: ItemOf<'thought'>): HTMLElement {
  const root = el(document, 'details', 'item thought');
  const summary = el(document, 'summary');
  summary.append(icon(document, 'lightbulb'), el(document, 'span', undefined, 'Thinking'));
  root.append(summary, el(document, 'div', 'thought-text', item.text));
  return root;
}

export function renderTool(document: Document, item: ItemOf<'tool'>, post: Post, wasOpen = false): HTMLElement {
  const root = el(document, 'details', `item tool status-${item.status}`);
  root.open = wasOpen;
  const summary = el(document, 'summary');
  const status = icon(document, STATUS_ICONS[item.status]);
  status.classList.add('tool-status');
  status.title = STATUS_LABELS[item.status];
  summary.append(icon(document, TOOL_ICONS[item.toolKind] ?? 'tools'), el(document, 'span', 'tool-title', item.title), status);
  if (item.permission) summary.append(renderToolPermission(document, item.permission));
  root.append(summary);
  const body = el(document, 'div', 'tool-body');
  for (const location of item.locations) {
    const link = el(document, 'a', 'location', location.line !== undefined ? `${location.path}:${location.line}` : location.path);
    link.href = '#';
    link.addEventListener('click', (event) => {
      event.preventDefault();
      post({ type: 'openLocation', path: location.path, line: location.line });
    });
    body.append(link);
  }
  for (const terminalId of item.terminalIds) {
    const button = el(document, 'button', 'secondary show-terminal');
    button.append(icon(document, 'terminal'), el(document, 'span', undefined, 'Show terminal'));
    button.addEventListener('click', () => post({ type: 'showTerminal', terminalId }));
    body.append(button);
  }
  if (item.detail) body.append(el(document, 'pre', 'tool-detail', item.detail));
  for (const image of item.images ?? []) {
    const img = el(document, 'img', 'tool-image');
    img.src = `data:${image.mimeType};base64,${image.data}`;
    img.alt = 'Image returned by the tool';
    body.append(img);
  }
  if (body.childElementCount === 0) body.append(el(document, 'div', 'muted', 'No details.'));
  root.append(body);
  return root;
}

/** The answered (or pending) permission question of a tool call: a line on its card, not a button. */
function renderToolPermission(document: Document, permission: ToolPermission): HTMLElement {
  const line = el(document, 'div', `tool-permission permission-${permission.outcome}`);
  line.append(icon(document, 'shield'), el(document, 'span', undefined, permission.outcome === 'allowed' || permission.outcome === 'rejected' ? `You chose: ${permission.answer}` : permission.answer));
  line.title = `Asked: ${permission.question}`;
  return line;
}

export function renderPlan(document: Document, item: ItemOf<'plan'>): HTMLElement {
  const root = el(document, 'div', 'item plan');
  const header = el(document, 'div', 'plan-header');
  header.append(icon(document, 'checklist'), el(document, 'span', undefined, 'Plan'));
  const list = el(document, 'ul');
  for (const entry of item.entries) {
    const li = el(document, 'li', `plan-${entry.status} priority-${entry.priority}`);
    const mark = entry.status === 'completed' ? 'pass-filled' : entry.status === 'in_progress' ? 'circle-large-filled' : 'circle-large-outline';
    li.append(icon(document, mark), el(document, 'span', undefined, entry.content));
    list.append(li);
  }
  root.append(header, list);
  return root;
}

export function renderPermission(document: Document, item: ItemOf<'permission'>, post: Post): HTMLElement {
  const root = el(document, 'div', `item permission${item.outcome === null ? ' waiting' : ''}`);
  const header = el(document, 'div', 'permission-header');
  header.append(icon(document, 'shield'), el(document, 'span', 'permission-title', item.title));
  root.append(header);
  if (item.command) root.append(renderCommand(document, item.command));
  if (item.detail) root.append(el(document, 'pre', 'permission-detail', item.detail));
  const actions = el(document, 'div', 'permission-actions');
  // Equal weight and full labels; once answered only the choice stays, so the card says what was decided.
  const shown = item.outcome === null ? item.options : item.options.filter((o) => o.optionId === item.outcome);
  let picker: ReturnType<typeof prefixPicker> | undefined;
  for (const option of shown) {
    const always = option.kind === 'allow_always';
    const button = el(document, 'button', `permission-option kind-${option.kind}`, always ? alwaysLabel(item, option.name, item.chosenPrefix) : option.name);
    button.type = 'button';
    button.dataset.optionId = option.optionId;
    button.disabled = item.outcome !== null;
    if (item.outcome === option.optionId) button.classList.add('chosen');
    if (always && item.outcome === null && item.prefixes?.length) picker = prefixPicker(document, item, button, option.name);
    button.addEventListener('click', () => {
      for (const b of Array.from(actions.querySelectorAll('button'))) {
        if (b !== button) b.remove();
        else b.disabled = true;
      }
      button.classList.add('chosen');
      const prefix = always ? picker?.chosen() : undefined;
      picker?.element.remove();
      post({ type: 'permission', id: item.id, optionId: option.optionId, ...(prefix ? { prefix } : {}) });
    });
    actions.append(button);
  }
  if (picker) root.append(picker.element);
  root.append(actions);
  if (item.outcome !== null) {
    const chosen = item.options.find((o) => o.optionId === item.outcome);
    const name = chosen?.kind === 'allow_always' ? alwaysLabel(item, chosen.name, item.chosenPrefix) : chosen?.name;
    root.append(el(document, 'div', 'permission-outcome muted', name ? `You chose: ${name}` : 'No longer needed (cancelled).'));
  }
  return root;
}

const NOTICE_ACTIONS = { retry: 'Retry', pickModel: 'Pick a model' } as const;

export function renderNotice(document: Document, item: ItemOf<'notice'>, post: Post): HTMLElement {
  const root = el(document, 'div', `item notice notice-${item.level}`);
  root.setAttribute('role', item.level === 'error' ? 'alert' : 'status');
  root.append(icon(document, item.level === 'info' ? 'info' : item.level), el(document, 'span', 'notice-text', item.text));
  const action = item.action;
  if (action) {
    const button = el(document, 'button', 'link-button notice-action', NOTICE_ACTIONS[action]);
    button.type = 'button';
    button.addEventListener('click', () => post({ type: action }));
    root.append(button);
  }
  return root;
}

const CHIP_ICONS: Record<AttachmentChip['kind'], string> = { file: 'file', selection: 'selection', image: 'file-media' };

export function renderChip(document: Document, chip: AttachmentChip): HTMLElement {
  const root = el(document, 'span', `chip chip-${chip.kind}`);
  root.title = chip.name;
  root.append(icon(document, CHIP_ICONS[chip.kind]), el(document, 'span', 'chip-name', chip.name));
  return root;
}
