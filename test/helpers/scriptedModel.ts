/** A ChatModel for unit tests: each request takes the next scripted step; requests are recorded. */
import type { ChatModel, ModelEvent, ModelRequest } from '../../src/agent/models/types';

export type Step = ModelEvent[] | ((request: ModelRequest) => AsyncIterable<ModelEvent>);

export class ScriptedModel implements ChatModel {
  readonly requests: { messages: ModelRequest['messages']; tools: string[] }[] = [];
  constructor(
    private readonly steps: Step[],
    readonly id = 'scripted',
  ) {}

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    this.requests.push({ messages: [...request.messages], tools: request.tools.map((t) => t.name) });
    const step = this.steps.shift();
    if (!step) throw new Error('no scripted step left');
    if (typeof step === 'function') yield* step(request);
    else for (const e of step) yield e;
  }
}

export const call = (name: string, args: object | string, id = `m-${name}`): ModelEvent => ({
  type: 'tool_call',
  call: { id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
});
export const text = (t: string): ModelEvent => ({ type: 'text', text: t });
