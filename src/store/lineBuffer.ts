/**
 * A session's records waiting for their batch write, kept as UTF-8 bytes from the moment they are appended:
 * a streamed update's JSON line is encoded at once and dies young, instead of thousands of strings per
 * batch surviving into the old generation (which cost more garbage collection than the write itself).
 */

/** Blocks grow from the first size to the largest as a session writes more (an idle one holds 4 KiB at most). */
const FIRST_BLOCK_BYTES = 4 * 1024;
const MAX_BLOCK_BYTES = 256 * 1024;

export class LineBuffer {
  private blocks: Buffer[] = [];
  private block: Buffer | undefined;
  private used = 0;
  private sealedBytes = 0;
  private nextBlock = FIRST_BLOCK_BYTES;
  /** Lines held. */
  lines = 0;

  get isEmpty(): boolean {
    return this.lines === 0;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.sealedBytes + this.used;
  }

  /** Appends `line` and a newline. */
  push(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a line that may not fit starts a new block.
    const room = line.length * 3 + 1;
    if (!this.block || this.used + room > this.block.length) {
      this.seal();
      this.block = Buffer.allocUnsafe(Math.max(this.nextBlock, room));
      this.nextBlock = Math.min(this.nextBlock * 2, MAX_BLOCK_BYTES);
    }
    this.used += this.block.write(line, this.used);
    this.block[this.used++] = 0x0a;
    this.lines++;
  }

  /** Everything held, in order, and empties the buffer. */
  take(): Buffer {
    this.seal();
    const data = this.blocks.length === 1 ? this.blocks[0] : Buffer.concat(this.blocks);
    this.blocks = [];
    this.sealedBytes = 0;
    this.lines = 0;
    return data;
  }

  /** Puts `data` (taken earlier, not written) back in front of what was appended since. */
  restore(data: Buffer, lines: number): void {
    this.seal();
    this.blocks.unshift(data);
    this.sealedBytes += data.length;
    this.lines += lines;
  }

  /** Drops everything held. */
  clear(): void {
    this.blocks = [];
    this.block = undefined;
    this.used = 0;
    this.sealedBytes = 0;
    this.lines = 0;
  }

  private seal(): void {
    if (this.block && this.used > 0) {
      this.blocks.push(this.block.subarray(0, this.used));
      this.sealedBytes += this.used;
    }
    this.block = undefined;
    this.used = 0;
  }
}
