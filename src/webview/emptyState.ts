/** The empty chat: what to ask, which model answers, and — for the built-in test models — that they are not language models, with a link to pick one. */
import { el, type Post } from './items';
import type { SessionView } from './protocol';

export class EmptyState {
  readonly element: HTMLElement;
  private readonly model: HTMLElement;

  constructor(
    private readonly document: Document,
    private readonly post: Post,
  ) {
    this.element = el(document, 'div', 'empty-state');
    this.model = el(document, 'div', 'empty-model');
    this.element.append(
      el(document, 'div', 'empty-title', 'Ask Punie'),
      el(document, 'div', 'muted', 'Ask about your code. Answers stream here; tools run in your editor. Type @ to mention a file, / for commands.'),
      this.model,
    );
  }

  update(view: SessionView): void {
    const current = view.model.current;
    const builtIn = current === 'test' || current.startsWith('test?') || current.startsWith('test:');
    const link = el(this.document, 'a', 'pick-model', builtIn ? 'Pick a language model' : 'Change the model');
    link.href = '#';
    link.addEventListener('click', (event) => {
      event.preventDefault();
      this.post({ type: 'pickModel' });
    });
    const answers = el(this.document, 'div', undefined);
    answers.append('Answers come from ', el(this.document, 'code', undefined, current), '.');
    const parts: (HTMLElement | string)[] = [answers];
    if (builtIn) parts.push(el(this.document, 'div', 'muted', `${current} is built into Punie for trying it out: it is not a language model and does not understand your question.`));
    parts.push(link);
    this.model.replaceChildren(...parts);
  }
}
