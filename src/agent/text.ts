/**
 * Largest text of one chunk, in UTF-16 code units. JSON-escaped that is at most 6 bytes per unit
 * (control characters), so a chunk frame stays well under the 1 MiB frame cap of Punie's Python client.
 */
export const MAX_CHUNK_TEXT = 128 * 1024;

/**
 * Largest text the agent makes of a burst of chunks (chunkCoalescer.ts). Small: larger merged strings made
 * the slow-consumer test's server grow 97 MiB instead of 23 (64 KiB), while 16 KiB already turns a burst of
 * 64-character chunks into one update per 256.
 */
export const MAX_COALESCED_TEXT = 16 * 1024;

/** Splits text into pieces of at most `max` code units without cutting a surrogate pair. */
export function splitText(text: string, max = MAX_CHUNK_TEXT): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + max, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Plain text of a prompt: text blocks, embedded text resources and resource links. */
export function promptText(blocks: readonly { type: string; [k: string]: unknown }[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    if (block.type === 'text') parts.push(String(block.text));
    else if (block.type === 'resource') {
      const resource = block.resource as { uri: string; text?: string };
      if (typeof resource.text === 'string') parts.push(`<context uri="${resource.uri}">\n${resource.text}\n</context>`);
    } else if (block.type === 'resource_link') parts.push(`[${String(block.name)}](${String(block.uri)})`);
  }
  return parts.join('\n\n');
}
