/**
 * Punie's built-in deterministic `test` model. `test` streams a short markdown reply to the prompt in many
 * small chunks; `test?chunks=N&chunkSize=B&delayMs=D` streams N numbered chunks of B characters with a
 * delay of D ms between them (long, paced streams for tests and benchmarks). `rate=R` paces them at R chunks
 * a second instead, against a deadline (chunk i is due i/R s after the first, so 10,000 a second holds where
 * timers tick in milliseconds), and `stamp=1` writes the wall-clock time each chunk was produced into it
 * (`[i@ms]`): the end-to-end latency benchmark reads it back where the chunk appears in the chat's DOM.
 * `tick=1` yields an event-loop turn before every chunk, as a network stream that reads one chunk at a time:
 * each chunk then becomes its own update (chunks within one turn are coalesced into one), at full speed.
 */
import { sleep } from './abortable';
import { ModelError, type ChatModel, type ModelEvent, type ModelRequest } from './types';

export interface TestModelOptions {
  chunks?: number;
  chunkSize: number;
  delayMs: number;
  /** Chunks per second (paced by deadline); 0: not paced by rate. */
  rate: number;
  stamp: boolean;
  /** Yield a turn of the event loop before every numbered chunk. */
  tick: boolean;
}

const MAX_CHUNKS = 10_000_000;
const MAX_CHUNK_SIZE = 1 << 20;

export function parseTestModelOptions(query: string): TestModelOptions {
  const params = new URLSearchParams(query);
  const known = new Set(['chunks', 'chunkSize', 'delayMs', 'rate', 'stamp', 'tick']);
  for (const key of params.keys()) {
    if (!known.has(key)) throw new ModelError(`Unknown test model option "${key}" (known: ${[...known].join(', ')})`);
  }
  const int = (name: string, fallback: number | undefined, max: number) => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > max) throw new ModelError(`Test model option ${name}=${raw} must be an integer from 0 to ${max}`);
    return value;
  };
  const options = {
    chunks: int('chunks', undefined, MAX_CHUNKS),
    chunkSize: int('chunkSize', 16, MAX_CHUNK_SIZE)!,
    delayMs: int('delayMs', 0, 60_000)!,
    rate: int('rate', 0, 1_000_000)!,
    stamp: int('stamp', 0, 1) === 1,
    tick: int('tick', 0, 1) === 1,
  };
  if (options.rate > 0 && options.delayMs > 0) throw new ModelError('Test model options delayMs and rate cannot be combined');
  return options;
}

/**
 * Chunk `i` of a numbered stream: `[i]` (or `[i@ms]`, stamped with when it was produced) padded with dots to
 * exactly `size` characters (at least the label).
 */
export function numberedChunk(index: number, size: number, stampMs?: number): string {
  const label = stampMs === undefined ? `[${index}]` : `[${index}@${stampMs}]`;
  return label.length >= size ? label : label + '.'.repeat(size - label.length - 1) + '\n';
}

/** What the test model reports as its context window, so clients can show usage without a real model. */
export const TEST_CONTEXT_TOKENS = 8192;

export class TestModel implements ChatModel {
  readonly acceptsImages = false;
  readonly contextSize = TEST_CONTEXT_TOKENS;

  constructor(
    readonly id: string,
    private readonly options: TestModelOptions,
    /** Wall-clock milliseconds (stamps and `rate` deadlines). */
    private readonly now: () => number = Date.now,
  ) {}

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const { delayMs, rate, stamp, chunkSize } = this.options;
    const pieces = this.options.chunks === undefined ? replyPieces(lastUserText(request), firstUserText(request)) : undefined;
    const count = pieces ? pieces.length : this.options.chunks!;
    const start = this.now();
    for (let i = 0; i < count; i++) {
      const ahead = rate > 0 ? start + (i * 1000) / rate - this.now() : 0;
      if (i > 0 && delayMs > 0) await sleep(delayMs, request.signal);
      else if (ahead >= 1) await sleep(Math.floor(ahead), request.signal);
      else if (request.signal.aborted) await sleep(0, request.signal);
      // The short reply yields a turn between words, as a model's network stream would, so it streams word by
      // word (chunks within one turn go out as one update); numbered streams let cancels and pings through.
      else if (pieces || this.options.tick ? i > 0 : i % 256 === 255) await new Promise((r) => setImmediate(r));
      yield { type: 'text', text: pieces ? pieces[i] : numberedChunk(i, chunkSize, stamp ? this.now() : undefined) };
    }
    // The short reply reports usage, roughly four characters a token like the models it stands in for;
    // numbered streams (tests, benchmarks) stay pure text.
    if (!pieces) return;
    const input = request.messages.reduce((n, m) => n + m.content.length, 0);
    yield { type: 'usage', inputTokens: Math.ceil(input / 4), outputTokens: Math.ceil(pieces.join('').length / 4) };
  }
}

function lastUserText(request: ModelRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m.role === 'user') return m.content;
  }
  return '';
}

/** The conversation's first question, when the last one is not it: what the model was given of the history. */
function firstUserText(request: ModelRequest): string | undefined {
  const users = request.messages.filter((m) => m.role === 'user');
  return users.length > 1 ? users[0].content : undefined;
}

/** The default reply, split after every word so that it streams; it quotes the first question, so a test sees what the model remembers. */
function replyPieces(prompt: string, first: string | undefined): string[] {
  const quote = (text: string) => text.trim().split('\n')[0].slice(0, 200) || '(empty prompt)';
  const reply =
    `You asked: *${quote(prompt)}*\n\n` +
    (first === undefined ? '' : `Earlier in this conversation you asked: *${quote(first)}*\n\n`) +
    'I am the built-in **test** model of Punie. I answer every prompt the same way, so you can check ' +
    'the connection, streaming and rendering without a language model.\n\n' +
    '- Pick a real model with the `punie.model` setting or `--model` (`ollama:llama3.2`, `local:…`).\n' +
    '- Tools (files, terminal) run through your editor once a real model asks for them.\n';
  return reply.match(/\S+\s*/g) ?? [reply];
}
