/**
 * "Always allow commands starting with `npm test`": a prefix of a command's argv the user picked, kept per
 * session. A command is seen as argv words: a program with its arguments as they are, or a shell command line
 * (`sh -c LINE`, `cmd.exe /d /s /c LINE`) only when LINE is plain words the shell cannot read otherwise (no
 * quotes, `;`, `|`, `$`, globs, redirections…); any other line has no words and matches nothing but itself.
 * Words are compared exactly, never as a string prefix, so `npm test; rm -rf ~` or `npm tests` is not
 * `npm test`. The folder and the environment changes must be the same too. Plain code, shared by every client.
 */
import type { TerminalCommand } from '../protocol/toolInput';

/** A word the shell takes as itself: no quoting, expansion or operator (no `%` or `,` for cmd.exe; `=` only after the program: no assignment). */
const PLAIN_WORD = /^[\w@+:./=-]+$/;
/** The shells Punie's `run_command` uses for a command line, with their flags before the line. */
const SHELLS: { program: RegExp; flags: string[] }[] = [
  { program: /^(?:.*\/)?(?:sh|bash|zsh)$/, flags: ['-c'] },
  { program: /^(?:.*[\\/])?cmd(?:\.exe)?$/i, flags: ['/d', '/s', '/c'] },
];
/** Beyond this many words a prefix choice is not offered (the exact command still is). */
const MAX_WORDS = 12;

/** The argv words of a command, or undefined when its shell line is more than plain words. */
export function commandWords(command: TerminalCommand): string[] | undefined {
  const args = command.args ?? [];
  const shell = SHELLS.find((s) => s.program.test(command.command) && args.length === s.flags.length + 1 && s.flags.every((f, i) => args[i] === f));
  if (!shell) return [command.command, ...args];
  const line = args[args.length - 1];
  // One space between words: anything else (tabs, newlines, runs of spaces) is not plain.
  const words = line.split(' ');
  return words.every((w) => PLAIN_WORD.test(w)) && !words[0].includes('=') ? words : undefined;
}

/** The prefixes the user may pick, shortest first: each a proper prefix of the words (the whole is "this exact command"). */
export function prefixChoices(command: TerminalCommand): string[][] {
  const words = commandWords(command);
  if (!words || words.length < 2 || words.length > MAX_WORDS) return [];
  return words.slice(0, -1).map((_, i) => words.slice(0, i + 1));
}

interface PrefixGrant {
  words: string[];
  cwd: string | null;
  env: string;
}

const envKey = (command: TerminalCommand) => JSON.stringify((command.env ?? []).map((e) => [e.name, e.value]));

/** The prefixes "always allowed" per session; a session's list is bounded (the oldest goes). */
export class CommandPrefixGrants {
  private readonly sessions = new Map<string, PrefixGrant[]>();

  constructor(private readonly maxPerSession = 100) {}

  /** Remembers the first `length` words of `command` for the session; false when that is not one of its choices. */
  grant(sessionId: string, command: TerminalCommand, length: number): boolean {
    const words = prefixChoices(command)[length - 1];
    if (!words) return false;
    const grants = this.sessions.get(sessionId) ?? [];
    grants.push({ words, cwd: command.cwd ?? null, env: envKey(command) });
    if (grants.length > this.maxPerSession) grants.shift();
    this.sessions.set(sessionId, grants);
    return true;
  }

  /** The granted prefix this command starts with (same folder and environment), if any. */
  match(sessionId: string, command: TerminalCommand): string[] | undefined {
    const words = commandWords(command);
    if (!words) return undefined;
    const cwd = command.cwd ?? null;
    const env = envKey(command);
    return this.sessions
      .get(sessionId)
      ?.find((g) => g.cwd === cwd && g.env === env && g.words.length <= words.length && g.words.every((w, i) => words[i] === w))?.words;
  }
}
