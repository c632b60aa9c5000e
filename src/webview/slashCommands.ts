/**
 * Slash commands in the composer: the chat's own (`/new`, `/clear`, run here) and the agent's (sent as the
 * question, as ACP says), completed from a small list while the input is `/` and a partial name.
 */
import { el } from './items';

export interface SlashCommand {
  name: string;
  description: string;
  hint?: string;
  /** Run by the chat itself instead of being sent to the agent. */
  local?: 'newSession' | 'clear';
}

export const LOCAL_COMMANDS: SlashCommand[] = [
  { name: 'new', description: 'Start a new session (the agent forgets this conversation)', local: 'newSession' },
  { name: 'clear', description: 'Clear the chat view (the session keeps its memory)', local: 'clear' },
];

/** The commands whose name starts with what follows the slash; none once the name is complete and a space typed. */
export function matchCommands(input: string, commands: readonly SlashCommand[]): SlashCommand[] {
  const m = /^\/(\S*)$/.exec(input);
  if (!m) return [];
  return commands.filter((c) => c.name.startsWith(m[1]));
}

/** A local command typed in full (`/new`, `/clear`), if the input is exactly one. */
export function localCommand(input: string): SlashCommand | undefined {
  const m = /^\/(\S+)\s*$/.exec(input.trim());
  return m ? LOCAL_COMMANDS.find((c) => c.name === m[1]) : undefined;
}

export class SlashMenu {
  readonly element: HTMLElement;
  private matches: SlashCommand[] = [];
  private selected = 0;

  constructor(
    private readonly document: Document,
    private readonly onPick: (command: SlashCommand) => void,
  ) {
    this.element = el(document, 'div', 'slash-menu');
    this.element.setAttribute('role', 'listbox');
    this.element.hidden = true;
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  update(input: string, commands: readonly SlashCommand[]): void {
    this.matches = matchCommands(input, commands);
    this.selected = Math.min(this.selected, Math.max(0, this.matches.length - 1));
    this.render();
  }

  close(): void {
    this.matches = [];
    this.render();
  }

  /** Arrow keys move, Tab or Enter picks, Escape closes; true if the key was used. */
  key(event: KeyboardEvent): boolean {
    if (!this.open) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.selected = (this.selected + step + this.matches.length) % this.matches.length;
      this.render();
      return true;
    }
    if (event.key === 'Tab' || (event.key === 'Enter' && !event.shiftKey)) {
      this.onPick(this.matches[this.selected]);
      return true;
    }
    if (event.key === 'Escape') {
      this.close();
      return true;
    }
    return false;
  }

  private render(): void {
    this.element.hidden = this.matches.length === 0;
    this.element.replaceChildren(
      ...this.matches.map((c, i) => {
        const row = el(this.document, 'div', `slash-item${i === this.selected ? ' selected' : ''}`);
        row.setAttribute('role', 'option');
        row.setAttribute('aria-selected', String(i === this.selected));
        row.append(el(this.document, 'span', 'slash-name', `/${c.name}`), el(this.document, 'span', 'muted', c.hint ? `${c.description} — ${c.hint}` : c.description));
        row.addEventListener('mousedown', (event) => {
          event.preventDefault();
          this.onPick(c);
        });
        return row;
      }),
    );
  }
}
