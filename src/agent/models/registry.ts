/**
 * Turns a model string into a model: `test`, `test?chunks=N…`, `test:tools`, `ollama:<model>`,
 * `local[:<url>/<model>]`, `openai:<model>`, and `vscode-lm[:family]` once the extension registers its
 * provider. The kind is the part before the first `:` or `?`.
 */
import { abortGuarded } from './abortable';
import { ModelCatalog } from './catalog';
import { ContextSizes } from './contextSize';
import { OpenAiChatModel, type OpenAiModelOptions } from './openai';
import { openAiModelLister } from './openaiModels';
import { parseOpenAiSpec, type Env } from './openaiSpec';
import { parseTestModelOptions, TestModel } from './testModel';
import { ScriptedToolModel } from './testTools';
import { ModelError, type ChatModel, type ModelFactory } from './types';
import { VSCODE_LM_PREFIX } from './vscodeLm';

export interface ModelRegistryOptions {
  /** Where `openai:` finds OPENAI_API_KEY / OPENAI_BASE_URL (default: process.env). */
  env: Env;
  /** Retries of a failed request to an OpenAI-compatible server. */
  maxRetries: number;
}

export class ModelRegistry {
  private readonly factories = new Map<string, ModelFactory>();
  /** The models each kind's server offers, for pickers. */
  readonly catalog = new ModelCatalog();

  constructor(options: Partial<ModelRegistryOptions> = {}) {
    const env = options.env ?? process.env;
    const maxRetries = options.maxRetries ?? 1;
    // One cache for every session's models: a server is asked its model's context size once.
    const contextSizes = new ContextSizes();
    this.register('test', (spec) => {
      const q = spec.indexOf('?');
      const query = q === -1 ? '' : spec.slice(q + 1);
      const base = q === -1 ? spec : spec.slice(0, q);
      if (base === 'test:tools') return new ScriptedToolModel(spec, parseTestModelOptions(query).delayMs);
      if (base !== 'test') throw new ModelError(`Unknown test model "${spec}" (test, test?chunks=N&chunkSize=B&delayMs=D, or test:tools)`);
      return new TestModel(spec, parseTestModelOptions(query));
    });
    const openAi = (spec: string) => {
      const { endpoint, timeouts } = parseOpenAiSpec(spec, env);
      const modelOptions: OpenAiModelOptions = { ...timeouts, maxRetries };
      return new OpenAiChatModel(spec, endpoint, modelOptions, contextSizes);
    };
    for (const prefix of ['ollama', 'local', 'openai']) this.register(prefix, openAi);
    const lister = openAiModelLister(env);
    // Ollama at its default address is asked even while a session uses another model: it is the usual local server.
    this.catalog.register('ollama', lister, 'ollama:any');
    for (const prefix of ['local', 'openai']) this.catalog.register(prefix, lister);
    this.register(VSCODE_LM_PREFIX, () => {
      throw new ModelError(`${VSCODE_LM_PREFIX} models are available only when the Punie server runs inside VS Code (the extension's built-in server)`);
    });
  }

  /** `prefix` is the part before the first `:` or `?` of a model string. */
  register(prefix: string, factory: ModelFactory): void {
    this.factories.set(prefix, factory);
  }

  create(spec: string): ChatModel {
    const prefix = spec.split(/[:?]/, 1)[0];
    const factory = this.factories.get(prefix);
    if (!factory) throw new ModelError(`Unknown model "${spec}". Known kinds: ${[...this.factories.keys()].join(', ')}`);
    const model = factory(spec);
    // Models of other code (network SDKs, the extension's provider) are guarded so that a cancel ends their
    // stream even while they are stuck; the built-in test models check the signal on every chunk themselves
    // and skip the per-chunk cost of that guard on long streams.
    return prefix === 'test' ? model : abortGuarded(model);
  }
}
