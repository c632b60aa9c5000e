/**
 * Shape limits every decoded frame must meet before anything walks it. `JSON.parse` copes with any depth,
 * but `JSON.stringify`, zod's error paths and every recursive helper overflow the stack around 10,000
 * levels, so depth is capped far below that; ids and method names are capped because every error
 * message repeats them.
 */

/** Deepest nesting of objects and arrays accepted in one message (ACP messages need about 10). */
export const MAX_JSON_DEPTH = 128;
/** Longest request id (UUIDs are 36 characters). */
export const MAX_ID_LENGTH = 256;
/** Longest method name. */
export const MAX_METHOD_LENGTH = 256;

/** Whether `value` nests objects or arrays deeper than `max` levels; iterative, so any depth is safe. */
export function exceedsDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > max) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Whether `value` holds more than `max` values (objects, arrays and what they contain); iterative. */
export function exceedsValues(value: unknown, max: number): boolean {
  let count = 1;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== 'object') continue;
    const children = Array.isArray(current) ? current : Object.values(current);
    count += children.length;
    if (count > max) return true;
    for (const child of children) if (child !== null && typeof child === 'object') stack.push(child);
  }
  return count > max;
}
