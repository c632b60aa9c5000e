/**
 * The command part of a permission card: the whole command, where it runs and what it adds to the
 * environment, as readable text. Nothing is cut (a long command scrolls in its block), and what the eye
 * cannot see is marked: runs of spaces, tabs, line breaks, and invisible or direction-changing characters,
 * so `ls ␣␣…␣ ; rm -rf ~` cannot hide its tail past the edge of the card.
 */
import type { TerminalCommand } from '../protocol/toolInput';
import type { CommandView } from './protocol';

function el(document: Document, tag: 'div' | 'pre', className: string, text: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text; // text, never HTML: it comes from the agent
  return node;
}

/** How the card shows a command: a shell's command line as itself, a program with its arguments quoted. */
export function commandView(command: TerminalCommand): CommandView {
  const args = command.args ?? [];
  const shell = /^(?:.*[\\/])?(?:sh|bash|zsh|cmd(?:\.exe)?)$/i.test(command.command) ? args.findIndex((a) => /^\/?-?c$/i.test(a)) : -1;
  const viaShell = shell !== -1 && shell === args.length - 2;
  return {
    shell: viaShell ? [command.command, ...args.slice(0, -1)].join(' ') : args.length === 0 ? 'the shell' : null,
    line: viaShell ? args[args.length - 1] : [command.command, ...args].map(quote).join(' '),
    cwd: command.cwd ?? null,
    env: command.env ?? [],
  };
}

/** An argument as a shell would need it written (plain words stay as they are). */
export function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Marks whitespace runs and invisible characters; single spaces stay as they are. */
export function visibleText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`)
    .replace(/\t/g, '⇥')
    .replace(/ {2,}/g, (run) => `␣×${run.length}`)
    .replace(/\r?\n/g, '↵\n');
}

export function renderCommand(document: Document, command: CommandView): HTMLElement {
  const root = document.createElement('div');
  root.className = 'permission-command';
  root.append(el(document, 'div', 'permission-command-label muted', command.shell ? `Command (run by ${command.shell})` : 'Command'));
  root.append(el(document, 'pre', 'permission-command-line', visibleText(command.line)));
  if (command.cwd) root.append(el(document, 'div', 'permission-command-cwd', `In folder: ${visibleText(command.cwd)}`));
  if (command.env.length > 0) {
    root.append(el(document, 'div', 'permission-command-label muted', 'With environment changes'));
    root.append(el(document, 'pre', 'permission-command-env', command.env.map((e) => `${visibleText(e.name)}=${visibleText(e.value)}`).join('\n')));
  }
  return root;
}
