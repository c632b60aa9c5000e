/** Turns a model string (`test`, `test?chunks=5`, …) into a model. Other kinds register here as they land. */
import { parseTestModelOptions, TestModel } from './testModel';
import { ModelError, type ChatModel } from './types';

export type ModelFactory = (spec: string) => ChatModel;

export class ModelRegistry {
  private readonly factories = new Map<string, ModelFactory>();

  constructor() {
    this.register('test', (spec) => {
      const q = spec.indexOf('?');
      return new TestModel(spec, parseTestModelOptions(q === -1 ? '' : spec.slice(q + 1)));
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
    return factory(spec);
  }
}
