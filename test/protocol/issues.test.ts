import assert from 'node:assert/strict';
import { z } from 'zod';
import { MAX_REPORTED_ISSUES, summarizeIssues } from '../../src/protocol/issues';

describe('zod issue summaries', () => {
  it('names each issue by its path, or by the root for the value itself', () => {
    const result = z.object({ a: z.object({ b: z.string() }) }).safeParse({ a: { b: 1 } });
    assert.ok(!result.success);
    assert.match(summarizeIssues(result.error.issues, '(params)').text, /^a\.b: Invalid input: expected string/);
    const root = z.string().safeParse(1);
    assert.ok(!root.success);
    assert.match(summarizeIssues(root.error.issues, '(arguments)').text, /^\(arguments\): /);
  });

  it('names the first issues only and counts the rest', () => {
    const result = z.array(z.string()).safeParse(Array.from({ length: 25 }, () => 0));
    assert.ok(!result.success);
    const summary = summarizeIssues(result.error.issues, '(params)');
    assert.equal(summary.shown.length, MAX_REPORTED_ISSUES);
    assert.equal(summary.text.split('; ').length, MAX_REPORTED_ISSUES + 1);
    assert.match(summary.text, /^0: .*; and 15 more$/);
  });
});
