/**
 * Tells the user at once when a remote server fails its check (nothing answers, wrong token), with the fix as
 * a button: "Edit URL…" or "Set token…". One notification per problem while it is on screen, so connecting
 * again and again does not stack copies.
 */
import * as vscode from 'vscode';
import type { ServerCheckError } from '../client/serverCheck';
import type { BackgroundLog } from '../util/background';
import { runInBackground } from '../util/background';
import { serverProblemActions, serverProblemText } from './failureText';

export interface ShownProblem {
  text: string;
  actions: string[];
  /** When it was reported (Date.now()). */
  at: number;
}

export class ServerProblems {
  private readonly open = new Set<string>();
  private lastShown: ShownProblem | undefined;

  constructor(private readonly log: BackgroundLog) {}

  /** The last problem shown (the integration tests read it; a notification's buttons cannot be read back). */
  get last(): ShownProblem | undefined {
    return this.lastShown;
  }

  report(err: ServerCheckError): void {
    const text = serverProblemText(err);
    const actions = serverProblemActions(err);
    this.lastShown = { text, actions: actions.map((a) => a.label), at: Date.now() };
    if (this.open.has(text)) return;
    this.open.add(text);
    runInBackground(
      'the server problem notification',
      (async () => {
        try {
          const choice = await vscode.window.showErrorMessage(text, ...actions.map((a) => a.label));
          const action = actions.find((a) => a.label === choice);
          if (action) await vscode.commands.executeCommand(action.command, ...action.args);
        } finally {
          this.open.delete(text);
        }
      })(),
      this.log,
    );
  }
}
