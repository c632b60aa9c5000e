/**
 * Local reasoning models (Qwen3, DeepSeek-R1 on llama.cpp, mlx_lm, …) often stream their reasoning inline
 * as `<think>…</think>` in the content. This splits a content stream into text and thought, also when a
 * tag is cut across deltas.
 */
import type { ModelEvent } from './types';

const OPEN = '<think>';
const CLOSE = '</think>';

export class ThinkTagSplitter {
  private thinking = false;
  private pending = '';

  push(delta: string): ModelEvent[] {
    const events: ModelEvent[] = [];
    let rest = this.pending + delta;
    this.pending = '';
    while (rest) {
      const tag = this.thinking ? CLOSE : OPEN;
      const at = rest.indexOf(tag);
      if (at !== -1) {
        this.add(events, rest.slice(0, at));
        this.thinking = !this.thinking;
        rest = rest.slice(at + tag.length);
        continue;
      }
      // Hold back a tail that could be the start of the tag.
      const keep = partialTagLength(rest, tag);
      this.add(events, rest.slice(0, rest.length - keep));
      this.pending = rest.slice(rest.length - keep);
      break;
    }
    return events;
  }

  flush(): ModelEvent[] {
    const events: ModelEvent[] = [];
    this.add(events, this.pending);
    this.pending = '';
    return events;
  }

  private add(events: ModelEvent[], text: string): void {
    if (text) events.push({ type: this.thinking ? 'thought' : 'text', text });
  }
}

function partialTagLength(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}
