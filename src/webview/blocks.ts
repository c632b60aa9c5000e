/**
 * Splits a growing markdown text into settled blocks and one open tail, so a streamed answer is rendered
 * block by block: a block is settled (never rendered again) as soon as another block follows it, and only
 * the tail is re-lexed per update. The cost of an update depends on the tail, not on the whole answer.
 *
 * A tail that grows past `maxOpen` characters (one huge code block, list or paragraph) is cut at a line or
 * item boundary: a code block is closed and re-opened with the same fence, a list continues as a new list
 * (ordered lists keep their numbers), a paragraph continues as a new paragraph. The pieces of a cut code block
 * after the first are marked `continued`, so the view can draw them as one block without a `:has()` selector
 * (which made every inserted block cost a style invalidation over the whole answer).
 */
import { Lexer, type Token, type Tokens } from 'marked';

export interface Block {
  /** Complete markdown. */
  markdown: string;
  /** A piece of a code block cut because it grew too large, after its first piece (starts with the re-opened fence). */
  continued: boolean;
}

export interface SplitResult {
  /** Blocks settled by this update, in order. */
  settled: Block[];
  /** The open tail, as markdown to render (may start with a re-opened fence). */
  tail: string;
  /** The tail starts with a re-opened fence. */
  tailContinued: boolean;
  /** How many characters at the front of the open text are settled now: the caller drops them. */
  consumed: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})[^\n]*\n/;

export class BlockSplitter {
  /** Markdown put before the open text (a re-opened code fence). */
  private prefix = '';

  /**
   * The open tail is re-rendered (parsed, sanitized, laid out) every frame while it grows, so its bound is
   * what a frame costs in the worst case: 10,000 chunks/s into one long paragraph, 330 chunks a frame, in
   * headless Chromium (one run each on a loaded machine): longest frame 233 ms at 16 KiB, 56 ms at 4 KiB.
   */
  constructor(private readonly maxOpen = 4 * 1024) {}

  /**
   * `open` is the text not settled yet: everything after what earlier calls consumed. (Working on that
   * alone, never on the whole answer, keeps each update's cost independent of the answer's length.)
   */
  update(open: string): SplitResult {
    const settled: Block[] = [];
    let consumed = 0;
    const take = (n: number) => {
      if (n >= this.prefix.length) {
        consumed += n - this.prefix.length;
        this.prefix = '';
      } else this.prefix = this.prefix.slice(n);
    };
    for (;;) {
      const source = this.prefix + open.slice(consumed);
      const tokens = Lexer.lex(source, { gfm: true });
      let last = tokens.length - 1;
      while (last >= 0 && tokens[last].type === 'space') last--;
      let settledChars = 0;
      // Only the first token can start with the re-opened fence.
      let continued = this.prefix !== '';
      for (let i = 0; i < last; i++) {
        settledChars += tokens[i].raw.length;
        if (tokens[i].type !== 'space') settled.push({ markdown: tokens[i].raw, continued });
        continued = false;
      }
      if (settledChars > 0) take(settledChars);
      const tail = this.prefix + open.slice(consumed);
      const tailContinued = this.prefix !== '';
      if (tail.length <= this.maxOpen || last < 0) return { settled, tail, tailContinued, consumed };
      const cut = this.cutTail(tokens[last], tail);
      if (!cut) return { settled, tail, tailContinued, consumed };
      settled.push({ markdown: cut.block, continued: tailContinued });
      take(cut.consumed);
      this.prefix = cut.prefix;
    }
  }

  private cutTail(token: Token, tail: string): { block: string; consumed: number; prefix: string } | undefined {
    if (token.type === 'list') {
      const items = (token as Tokens.List).items;
      if (items.length < 2) return undefined;
      const keep = items.slice(0, -1).reduce((n, item) => n + item.raw.length, 0);
      return { block: tail.slice(0, keep), consumed: keep, prefix: '' };
    }
    const lineEnd = tail.lastIndexOf('\n', tail.length - 2) + 1;
    if (token.type === 'code') {
      const fence = FENCE.exec(tail);
      if (!fence) return undefined;
      // A closed fence is a complete block: settle it whole rather than leave an empty re-opened fence.
      const closing = new RegExp(`\\n {0,3}\\${fence[1][0]}{${fence[1].length},}[ \\t]*\\n?$`);
      if (closing.test(token.raw)) return { block: token.raw, consumed: token.raw.length, prefix: '' };
      if (lineEnd <= fence[0].length) return undefined;
      return { block: `${tail.slice(0, lineEnd)}${fence[1]}\n`, consumed: lineEnd, prefix: fence[0] };
    }
    if (token.type === 'paragraph' && lineEnd > 0) {
      return { block: tail.slice(0, lineEnd), consumed: lineEnd, prefix: '' };
    }
    return undefined;
  }
}
