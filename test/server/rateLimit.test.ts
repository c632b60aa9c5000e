import assert from 'node:assert/strict';
import { RateLimiter, TokenBucket } from '../../src/server/rateLimit';

describe('TokenBucket', () => {
  it('allows a burst, then the sustained rate', () => {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 5; i++) assert.equal(bucket.take(0), true);
    assert.equal(bucket.take(0), false);
    assert.equal(bucket.waitMs(), 100);
    assert.equal(bucket.take(99), false, 'not a whole token yet');
    assert.equal(bucket.take(100), true);
    assert.equal(bucket.take(100), false);
  });

  it('never holds more than the burst, and ignores a clock going backwards', () => {
    const bucket = new TokenBucket(1000, 3, 0);
    let taken = 0;
    while (bucket.take(60_000)) taken++;
    assert.equal(taken, 3);
    assert.equal(bucket.take(0), false, 'a backwards clock adds nothing');
  });
});

describe('RateLimiter', () => {
  const options = { ratePerSecond: 10, burst: 2, maxRefused: 3, windowMs: 1000 };

  it('passes, then refuses, then reports a flood after maxRefused refusals in one window', () => {
    const limiter = new RateLimiter(options, 0);
    assert.deepEqual([0, 0, 0, 0, 0, 0].map(() => limiter.admit(0)), ['pass', 'pass', 'refuse', 'refuse', 'refuse', 'flood']);
    assert.equal(limiter.refusedTotal, 4);
  });

  it('forgets refusals once the window has passed', () => {
    const limiter = new RateLimiter({ ...options, ratePerSecond: 0.001 }, 0);
    limiter.admit(0);
    limiter.admit(0);
    for (let i = 0; i < 3; i++) assert.equal(limiter.admit(10), 'refuse');
    assert.equal(limiter.refusedInWindow, 3);
    assert.equal(limiter.admit(1010), 'refuse', 'a new window starts over');
    assert.equal(limiter.refusedInWindow, 1);
  });

  it('is off with a rate of 0', () => {
    const limiter = new RateLimiter({ ...options, ratePerSecond: 0 }, 0);
    for (let i = 0; i < 100; i++) assert.equal(limiter.admit(0), 'pass');
    assert.equal(limiter.retryAfterMs(), 0);
  });
});
