import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/args';
import { limitHelp, limitOptions } from '../../src/cli/limitFlags';
import { SERVER_LIMITS as LIMIT_FLAGS } from '../../src/server/limitTable';
import { serveHelp } from '../../src/cli/serve';
import { defaultServerOptions, resolveServerOptions } from '../../src/server/options';

describe('punie serve limit flags', () => {
  it('maps each flag to its server option and keeps the defaults for the others', () => {
    const options = limitOptions({ 'max-connections': '3', 'rate-limit': '0', 'slow-client-timeout-ms': '250' });
    assert.equal(options.maxConnections, 3);
    assert.equal(options.rateLimitPerSecond, 0);
    assert.equal(options.slowClientTimeoutMs, 250);
    assert.equal(options.maxPayload, defaultServerOptions.maxPayload);
    assert.equal(Object.keys(options).length, LIMIT_FLAGS.length);
  });

  it('rejects a value that is not a non-negative integer, naming the flag', () => {
    assert.throws(() => limitOptions({ 'max-sessions': '-1' }), (err: Error) => err instanceof UsageError && /--max-sessions must be a non-negative integer/.test(err.message));
    assert.throws(() => limitOptions({ 'outbound-high-water': '1MB' }), /--outbound-high-water/);
  });

  it('lists every limit with its default in --help', () => {
    for (const f of LIMIT_FLAGS) {
      const line = serveHelp.split('\n').find((l) => l.includes(`--${f.flag} `));
      assert.ok(line, f.flag);
      assert.match(line!, new RegExp(`\\(default ${defaultServerOptions[f.key]}\\)$`));
    }
    assert.ok(serveHelp.includes(limitHelp()));
  });

  it('refuses limits that contradict each other', () => {
    assert.throws(() => resolveServerOptions({ outboundLowWatermark: 2e6, outboundHighWatermark: 1e6 }), /outboundLowWatermark \(2000000\) must not exceed outboundHighWatermark/);
    assert.throws(() => resolveServerOptions({ slowClientBacklogBytes: 100, slowClientMaxBacklogBytes: 10 }), /slowClientBacklogBytes/);
    assert.throws(() => resolveServerOptions({ maxConnections: 0 }), /maxConnections must be a positive integer/);
    assert.throws(() => resolveServerOptions({ rateLimitPerSecond: -5 }), /rateLimitPerSecond/);
  });
});
