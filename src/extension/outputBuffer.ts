/**
 * A command's output, capped at a number of bytes: when it grows past the cap the oldest output is dropped
 * (ACP: truncation keeps the end, at a character boundary). Plain code, no vscode.
 */
export class OutputBuffer {
  private chunks: string[] = [];
  private bytes = 0;
  private dropped = false;

  constructor(readonly limitBytes: number) {}

  get truncated(): boolean {
    return this.dropped;
  }

  append(text: string): void {
    if (!text) return;
    this.chunks.push(text);
    this.bytes += Buffer.byteLength(text);
    // Trim once well over the cap, so a chatty command costs O(output), not O(output × chunks).
    if (this.bytes > this.limitBytes * 2 + 64 * 1024) this.trim();
  }

  text(): string {
    this.trim();
    return this.chunks.join('');
  }

  private trim(): void {
    if (this.bytes <= this.limitBytes) {
      if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
      return;
    }
    const all = Buffer.from(this.chunks.join(''));
    let start = all.length - this.limitBytes;
    // Do not start inside a UTF-8 sequence: skip continuation bytes (10xxxxxx).
    while (start < all.length && (all[start] & 0xc0) === 0x80) start++;
    const kept = all.subarray(start).toString('utf8');
    this.chunks = [kept];
    this.bytes = all.length - start;
    this.dropped = true;
  }
}
