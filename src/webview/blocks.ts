/**
 * Splits a growing markdown text into settled blocks and one open tail, so a streamed answer is rendered
 * block by block: a block is settled (never rendered again) as soon as another block follows it, and only
 * the tail is re-lexed per update. The cost of an update depends on the tail, not on the whole answer.
 *
 * A tail that grows past `maxOpen` characters (one huge code block, list or paragraph) is cut at a line or
 * item boundary: a code block is closed and re-opened with the same fence, a list continues as a new list
 * (ordered lists keep their numbers), a paragraph continues as a new paragraph.
 */
import { Lexer, type Token, type Tokens } from 'marked';

export interface SplitResult {
  /** Blocks settled by this update, in order; each is complete markdown. */
  settled: string[];
  /** The open tail, as markdown to render (may start with a re-opened fence). */
  tail: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})[^\n]*\n/;

export class BlockSplitter {
  /** Where the open region starts in the text. */
  private offset = 0;
  /** Markdown put before the open region (a re-opened code fence). */
  private prefix = '';

  constructor(private readonly maxOpen = 16 * 1024) {}

  update(text: string): SplitResult {
    const settled: string[] = [];
    for (;;) {
      const source = this.prefix + text.slice(this.offset);
      const tokens = Lexer.lex(source, { gfm: true });
      let last = tokens.length - 1;
      while (last >= 0 && tokens[last].type === 'space') last--;
      let consumed = 0;
      for (let i = 0; i < last; i++) {
        consumed += tokens[i].raw.length;
        if (tokens[i].type !== 'space') settled.push(tokens[i].raw);
      }
      if (consumed > 0) this.advance(consumed);
      const tail = this.prefix + text.slice(this.offset);
      if (tail.length <= this.maxOpen || last < 0) return { settled, tail };
      const cut = this.cutTail(tokens[last], tail);
      if (!cut) return { settled, tail };
      settled.push(cut.block);
      this.advance(cut.consumed);
      this.prefix = cut.prefix;
    }
  }

  /** Consumes `n` characters of `prefix + text[offset..]`. */
  private advance(n: number): void {
    if (n >= this.prefix.length) {
      this.offset += n - this.prefix.length;
      this.prefix = '';
    } else this.prefix = this.prefix.slice(n);
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
