import assert from 'node:assert/strict';
import type { PunieServer } from '../../src/server/server';
import { expectationFor, JSON_SCHEMAS, METHODS } from '../fuzz/frames';
import { generate, Rng, slots, typeOf, type Json } from '../fuzz/generate';
import { RawClient, startServer } from '../helpers/server';

const WRONG: Json[] = [null, true, 7, 'text', [], {}];

/** Every field of every method's params (all optional fields present), set to every JSON type it does not have. */
function wrongTypeCases(): { method: string; path: string; params: Json }[] {
  const cases: { method: string; path: string; params: Json }[] = [];
  for (const method of METHODS.filter((m) => m !== 'authenticate')) {
    const base = generate(JSON_SCHEMAS[method], new Rng(7), (key) => (key === 'sessionId' ? 'punie-session-none' : undefined), '', 1);
    slots(base).forEach((_, index) => {
      for (const wrong of WRONG) {
        const params = structuredClone(base);
        const place = slots(params)[index];
        const parent = place.parent as Record<string, Json>;
        if (typeOf(parent[place.key]) === typeOf(wrong)) continue;
        parent[place.key] = wrong;
        cases.push({ method, path: `${pathOf(base, index)} = ${JSON.stringify(wrong)}`, params });
      }
    });
  }
  return cases;
}

function pathOf(value: Json, index: number): string {
  const target = slots(value)[index];
  const find = (v: Json, prefix: string): string | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    for (const [k, child] of Object.entries(v)) {
      const here = `${prefix}${prefix ? '.' : ''}${k}`;
      if (v === target.parent && String(target.key) === k) return here;
      const deeper = find(child, here);
      if (deeper) return deeper;
    }
    return undefined;
  };
  return find(value, '') ?? '?';
}

describe('wrong types in every field', () => {
  let server: PunieServer;
  before(async () => {
    server = await startServer({ rateLimitPerSecond: 0 });
  });
  after(() => server.close());

  const cases = wrongTypeCases();

  it('covers every field of every method', () => {
    assert.ok(cases.length > 300, `${cases.length} cases`);
    for (const method of METHODS.filter((m) => m !== 'authenticate')) assert.ok(cases.some((c) => c.method === method), method);
  });

  for (const path of ['ws', 'acp'] as const) {
    it(`answers each with -32602 naming the method on /${path}, or serves it when the schema allows that type`, async () => {
      const client = await RawClient.connect(server.urls()[path]);
      if (path === 'acp') await client.call('init', 'initialize', { protocolVersion: 1 });
      let rejected = 0;
      for (const [i, c] of cases.entries()) {
        const expected = expectationFor(path, i, c.method, c.params, 'none');
        if (expected.reply !== 'codes') throw new Error(`a request always gets an answer: ${c.method}`);
        const reply = await client.call(i, c.method, c.params);
        const label = `${c.method} ${c.path}: ${JSON.stringify(reply).slice(0, 300)}`;
        const invalid = !expected.orResult && expected.codes.length === 1 && expected.codes[0] === -32602;
        if (!invalid) {
          // The schema allows that type there (nullish fields, open `_meta`): served, or a domain error.
          assert.ok(reply.result ? expected.orResult : expected.codes.includes(reply.error?.code), label);
          continue;
        }
        rejected++;
        assert.equal(reply.error?.code, -32602, label);
        assert.match(reply.error.message, new RegExp(`Invalid params for ${c.method}`), label);
        assert.match(reply.error.message, new RegExp(`request id ${i}`), label);
        assert.ok(Array.isArray(reply.error.data.issues), label);
      }
      assert.ok(rejected > cases.length / 2, `${rejected} of ${cases.length} were invalid`);
      client.close();
    });
  }
});
