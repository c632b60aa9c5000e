/**
 * What a permission request must show so that the client can hold the agent to it: a command is asked for
 * with the exact `terminal/create` fields as `rawInput` (program, args, cwd, env), a write with a `diff`
 * of the path. The client derives what it will allow from these, never from the `kind` label.
 */
import { z } from 'zod';

export const TerminalCommand = z.object({
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  cwd: z.string().nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
export type TerminalCommand = z.infer<typeof TerminalCommand>;

/** File names that likely hold secrets: reading one asks first, whatever the auto-approve policy for reads. */
export function isLikelySecret(filePath: string): boolean {
  const name = filePath.split(/[\\/]/).pop() ?? '';
  return /^\.env(\..*)?$/i.test(name) || /\.(pem|key)$/i.test(name) || /^id_/.test(name) || name === '.npmrc' || name === '.git-credentials';
}

/** The same command, compared field by field (a missing args list is an empty one). */
export function sameCommand(a: TerminalCommand, b: TerminalCommand): boolean {
  const env = (c: TerminalCommand) => JSON.stringify((c.env ?? []).map((e) => [e.name, e.value]));
  return a.command === b.command && JSON.stringify(a.args ?? []) === JSON.stringify(b.args ?? []) && (a.cwd ?? null) === (b.cwd ?? null) && env(a) === env(b);
}
