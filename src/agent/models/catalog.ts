/**
 * The models a session's picker offers: the built-in ones, the session's own, and what the servers behind
 * the model kinds say they have (`/v1/models` of Ollama and OpenAI-compatible servers, VS Code's Language
 * Model API). Asking is slow and may fail, so answers are cached for a while and a failure lists nothing.
 */
import type { ModelChoice } from '../sessionConfig';

/** Model strings a server of this kind offers; `spec` is the model the session uses (or a default of that kind). */
export type ModelLister = (spec: string, signal: AbortSignal) => Promise<ModelChoice[]>;

export const BUILT_IN_MODELS: readonly ModelChoice[] = [
  { value: 'test', name: 'test', description: 'Built in: repeats your question; not a language model' },
  { value: 'test:tools', name: 'test:tools', description: 'Built in: runs each tool once; not a language model' },
];

export interface ModelCatalogOptions {
  /** How long a server's answer is reused. */
  ttlMs: number;
  /** How long one server may take to answer. */
  timeoutMs: number;
  now: () => number;
}

const defaults: ModelCatalogOptions = { ttlMs: 60_000, timeoutMs: 3_000, now: Date.now };

export class ModelCatalog {
  private readonly listers = new Map<string, { lister: ModelLister; probe?: string }>();
  private readonly cache = new Map<string, { at: number; models: ModelChoice[] }>();
  private readonly options: ModelCatalogOptions;

  constructor(options: Partial<ModelCatalogOptions> = {}) {
    this.options = { ...defaults, ...options };
  }

  /** `probe`, when given, is asked even while the session uses another kind (e.g. the default Ollama). */
  register(prefix: string, lister: ModelLister, probe?: string): void {
    this.listers.set(prefix, { lister, probe });
  }

  /** What is known now without asking anyone: built-ins, `current`, and cached answers. */
  known(current: string): ModelChoice[] {
    return merge(BUILT_IN_MODELS, [...this.cache.values()].flatMap((c) => c.models), [{ value: current, name: current }]);
  }

  /** Asks the servers (at most once per ttl each) and returns the whole list. Never throws. */
  async refresh(current: string): Promise<ModelChoice[]> {
    const prefix = current.split(/[:?]/, 1)[0];
    const asks: [string, ModelLister][] = [];
    for (const [kind, { lister, probe }] of this.listers) {
      const spec = kind === prefix ? current : probe;
      if (spec !== undefined) asks.push([spec, lister]);
    }
    await Promise.all(asks.map(([spec, lister]) => this.ask(spec, lister)));
    return this.known(current);
  }

  private async ask(spec: string, lister: ModelLister): Promise<void> {
    const key = spec.split('?', 1)[0];
    const cached = this.cache.get(key);
    if (cached && this.options.now() - cached.at < this.options.ttlMs) return;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const models = await lister(spec, signal).catch(() => []);
    this.cache.set(key, { at: this.options.now(), models: models.slice(0, 200) });
  }
}

function merge(...lists: (readonly ModelChoice[])[]): ModelChoice[] {
  const seen = new Map<string, ModelChoice>();
  for (const list of lists) for (const m of list) if (!seen.has(m.value)) seen.set(m.value, m);
  return [...seen.values()];
}
