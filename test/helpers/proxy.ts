/**
 * A TCP proxy on 127.0.0.1 for chaos tests: sits between a client and a server and can cut connections
 * (optionally after an exact number of server→client bytes, mid-frame), black-hole them (sockets stay open,
 * nothing is forwarded: a half-open peer), refuse or black-hole new ones, delay and throttle.
 */
import net from 'node:net';

interface Pair {
  client: net.Socket;
  server: net.Socket;
  blackholed: boolean;
}

interface Lane {
  queue: { chunk: Buffer; arrivedAt: number }[];
  timer: NodeJS.Timeout | undefined;
  releaseAt: number;
}

export class TestProxy {
  /** New connections are accepted and closed at once (the server looks down). */
  refuseNew = false;
  /** New connections are accepted and never forwarded (a connect that hangs). */
  blackholeNew = false;
  /** Added latency per chunk, each direction. */
  delayMs = 0;
  /** Bandwidth cap per direction (0: none). */
  bytesPerSecond = 0;
  /** Connections accepted so far (including refused ones). */
  accepted = 0;
  /** Server→client bytes forwarded, over all connections. */
  downstreamBytes = 0;
  private readonly pairs = new Set<Pair>();
  private cutAt: { bytes: number; done: () => void } | undefined;

  private constructor(
    private readonly listener: net.Server,
    public targetPort: number,
  ) {}

  static async start(targetPort: number): Promise<TestProxy> {
    const listener = net.createServer();
    const proxy = new TestProxy(listener, targetPort);
    listener.on('connection', (socket) => proxy.accept(socket));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.listener.address() as net.AddressInfo).port;
  }

  url(path = '/ws'): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  /** Destroys every current connection, both sides. */
  cut(): void {
    for (const pair of [...this.pairs]) this.destroy(pair);
  }

  /** Current connections stay open but nothing more is forwarded, either way, not even a close. */
  blackhole(): void {
    for (const pair of this.pairs) pair.blackholed = true;
  }

  /** Cuts every connection once `downstreamBytes` reaches `bytes`, forwarding exactly up to that byte. */
  cutAtDownstreamByte(bytes: number): Promise<void> {
    return new Promise((resolve) => {
      this.cutAt = { bytes, done: resolve };
    });
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    client.on('error', () => {});
    if (this.refuseNew) {
      client.destroy();
      return;
    }
    const server = net.connect(this.targetPort, '127.0.0.1');
    server.on('error', () => {});
    // Like ws itself: no Nagle delay, or every small frame waits for a delayed ACK.
    client.setNoDelay(true);
    server.setNoDelay(true);
    const pair: Pair = { client, server, blackholed: this.blackholeNew };
    this.pairs.add(pair);
    const up = newLane();
    const down = newLane();
    client.on('data', (chunk) => this.forward(pair, up, chunk, server, false));
    server.on('data', (chunk) => this.forward(pair, down, chunk, client, true));
    // A black-holed connection is half-open: one side going away is not passed on (like a dead network).
    client.on('close', () => pair.blackholed || this.destroy(pair));
    server.on('close', () => pair.blackholed || this.destroy(pair));
  }

  private forward(pair: Pair, lane: Lane, chunk: Buffer, to: net.Socket, downstream: boolean): void {
    if (pair.blackholed || !this.pairs.has(pair)) return;
    if (this.delayMs === 0 && this.bytesPerSecond === 0 && lane.queue.length === 0) {
      this.write(chunk, to, downstream);
      return;
    }
    lane.queue.push({ chunk, arrivedAt: Date.now() });
    this.schedule(pair, lane, to, downstream);
  }

  /** Releases queued chunks in order, each no earlier than its delay and the bandwidth allow. */
  private schedule(pair: Pair, lane: Lane, to: net.Socket, downstream: boolean): void {
    if (lane.timer || lane.queue.length === 0) return;
    const { chunk, arrivedAt } = lane.queue[0];
    const transfer = this.bytesPerSecond > 0 ? (chunk.length * 1000) / this.bytesPerSecond : 0;
    const at = Math.max(arrivedAt + this.delayMs, lane.releaseAt + transfer);
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      lane.releaseAt = at;
      lane.queue.shift();
      if (!this.pairs.has(pair)) return;
      if (!pair.blackholed) this.write(chunk, to, downstream);
      this.schedule(pair, lane, to, downstream);
    }, Math.max(0, at - Date.now()));
  }

  private write(chunk: Buffer, to: net.Socket, downstream: boolean): void {
    if (!downstream) {
      to.write(chunk);
      return;
    }
    const cutAt = this.cutAt;
    if (cutAt && this.downstreamBytes + chunk.length >= cutAt.bytes) {
      const head = chunk.subarray(0, cutAt.bytes - this.downstreamBytes);
      this.downstreamBytes += head.length;
      this.cutAt = undefined;
      if (head.length > 0) to.write(head);
      this.cut();
      cutAt.done();
      return;
    }
    this.downstreamBytes += chunk.length;
    to.write(chunk);
  }

  private destroy(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.server.destroy();
  }
}

function newLane(): Lane {
  return { queue: [], timer: undefined, releaseAt: 0 };
}

/** A small seeded PRNG (mulberry32), so random cut points are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
