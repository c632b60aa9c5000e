/**
 * A session's recent outbound events, numbered by `seq`, kept for replay on resume. Bounded by count and
 * bytes; once something was evicted, a resume from before it gets an explicit gap instead of a partial replay.
 */
export interface ReplayEntry {
  seq: number;
  method: string;
  params: unknown;
  bytes: number;
}

export type ReplayResult = { ok: true; entries: ReplayEntry[] } | { ok: false; reason: string };

export class ReplayBuffer {
  private entries: ReplayEntry[] = [];
  private head = 0;
  private bytes = 0;
  /** Highest seq that was evicted (0: nothing lost yet). */
  private evictedThrough = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  push(entry: ReplayEntry): void {
    this.entries.push(entry);
    this.bytes += entry.bytes;
    while (this.entries.length - this.head > this.maxEntries || (this.bytes > this.maxBytes && this.entries.length - this.head > 0)) {
      const old = this.entries[this.head++];
      this.bytes -= old.bytes;
      this.evictedThrough = old.seq;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Everything after `lastSeq`, or a gap when part of it is gone. */
  since(lastSeq: number): ReplayResult {
    if (lastSeq < this.evictedThrough) {
      return { ok: false, reason: `updates ${lastSeq + 1}..${this.evictedThrough} were dropped from the replay buffer` };
    }
    const out: ReplayEntry[] = [];
    for (let i = this.head; i < this.entries.length; i++) if (this.entries[i].seq > lastSeq) out.push(this.entries[i]);
    return { ok: true, entries: out };
  }

  get size(): number {
    return this.entries.length - this.head;
  }
}
