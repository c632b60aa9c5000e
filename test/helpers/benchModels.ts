/**
 * Models for tests and benchmarks that need more than the built-in test model: `flat` streams chunks that
 * are fresh flat strings (the test model's dots are ropes V8 stores in a few bytes, which would hide
 * memory use), and `clock` stamps each chunk with the time it was produced, for latency measurements.
 */
import { ModelRegistry } from '../../src/agent/models/registry';
import { sleep } from '../../src/agent/models/abortable';
import { parseTestModelOptions } from '../../src/agent/models/testModel';
import type { ChatModel, ModelEvent, ModelRequest } from '../../src/agent/models/types';

/** Milliseconds of the monotonic clock, which every process of one machine shares (unlike performance.now()). */
export function preciseNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function model(spec: string, chunkText: (index: number, size: number) => string): ChatModel {
  const q = spec.indexOf('?');
  const options = parseTestModelOptions(q === -1 ? '' : spec.slice(q + 1));
  const count = options.chunks ?? 100;
  return {
    id: spec,
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      for (let i = 0; i < count; i++) {
        if (options.delayMs > 0) await sleep(options.delayMs, request.signal);
        else if (i % 8 === 7) await new Promise((r) => setImmediate(r)); // share the loop like a real model's I/O would
        if (request.signal.aborted) return;
        yield { type: 'text', text: chunkText(i, options.chunkSize) };
      }
    },
  };
}

export function registerBenchModels(models: ModelRegistry): ModelRegistry {
  models.register('flat', (spec) => model(spec, (i, size) => Buffer.alloc(size, 0x61 + (i % 26)).toString('latin1')));
  models.register('clock', (spec) => model(spec, (_i, size) => `@${preciseNow().toFixed(3)};`.padEnd(size, '.')));
  return models;
}
