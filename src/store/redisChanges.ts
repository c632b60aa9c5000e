/**
 * The fleet's change messages (the `punie:changes` channel): a replica that wrote, deleted or took a session
 * says so, and every other replica reads that session's summary again (or, for a take-over, lets it go). They
 * come from other processes through Redis, so they are validated here; anything else is ignored.
 */
import { z } from 'zod';

const Change = z.object({ from: z.string().min(1).max(200), id: z.string().min(1).max(200), claim: z.literal(true).optional() });
export type Change = z.infer<typeof Change>;

export function changeMessage(from: string, id: string, claim?: true): string {
  return JSON.stringify(claim ? { from, id, claim } : { from, id });
}

/** The change a message announces, or undefined for one that is not a change message. */
export function parseChange(message: string): Change | undefined {
  try {
    const parsed = Change.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
