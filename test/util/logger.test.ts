import assert from 'node:assert/strict';
import { createLogger, frameText, isLogLevel, redact } from '../../src/util/logger';

describe('log levels', () => {
  it('accepts the level names and nothing inherited from Object', () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'off']) assert.ok(isLogLevel(level), level);
    for (const bad of ['toString', 'constructor', '__proto__', 'verbose']) assert.ok(!isLogLevel(bad), bad);
  });
});

describe('protocol frame tracing', () => {
  it('is enabled only at trace level', () => {
    assert.equal(createLogger('trace', () => {}).traceEnabled?.(), true);
    assert.equal(createLogger('debug', () => {}).traceEnabled?.(), false);
  });

  it('shows frames as JSON, cut to a readable length, with tokens redacted', () => {
    const frame = { jsonrpc: '2.0', id: 'x', result: { _meta: { resume_token: 'secret-resume', seq: 3 } } };
    const line = redact(`⇠ ${frameText(frame)}`);
    assert.doesNotMatch(line, /secret-resume/);
    assert.match(line, /"resume_token":"\[redacted\]"/);
    assert.match(line, /"seq":3/);
    const long = frameText({ text: 'x'.repeat(10_000) });
    assert.match(frameText({ n: 1n }), /cannot be serialised/, 'a frame that cannot be serialised never throws');
    assert.ok(long.length < 2100 && /… \(10011 chars\)$/.test(long), long.slice(-30));
  });
});
