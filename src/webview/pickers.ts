/** The composer's model and mode pickers (like Copilot Chat's): plain selects that switch the session's setting in place. */
import { el, type Post } from './items';
import type { SessionView } from './protocol';

export class Pickers {
  readonly element: HTMLElement;
  readonly model: HTMLSelectElement;
  readonly mode: HTMLSelectElement;

  constructor(document: Document, post: Post) {
    this.element = el(document, 'div', 'pickers');
    this.model = picker(document, 'model-picker', 'Model', (value) => post({ type: 'setOption', configId: 'model', value }));
    this.mode = picker(document, 'mode-picker', 'Mode', (value) => post({ type: 'setOption', configId: 'mode', value }));
    this.element.append(this.model, this.mode);
  }

  update(view: SessionView): void {
    fill(this.model, view.model);
    fill(this.mode, view.mode);
  }
}

function picker(document: Document, className: string, label: string, onPick: (value: string) => void): HTMLSelectElement {
  const select = el(document, 'select', `picker ${className}`);
  select.setAttribute('aria-label', label);
  select.addEventListener('change', () => onPick(select.value));
  return select;
}

function fill(select: HTMLSelectElement, picker: SessionView['model']): void {
  const document = select.ownerDocument;
  const options = picker.options.some((o) => o.value === picker.current) ? picker.options : [{ value: picker.current, name: picker.current }, ...picker.options];
  select.replaceChildren(
    ...options.map((o) => {
      const option = el(document, 'option', undefined, o.name);
      option.value = o.value;
      if (o.description) option.title = o.description;
      return option;
    }),
  );
  select.value = picker.current;
  const current = options.find((o) => o.value === picker.current);
  select.title = current?.description ? `${current.name}: ${current.description}` : (current?.name ?? picker.current);
}
