/** Runs the fuzz harness against a fresh server on both endpoints; shared by the short and the long run. */
import assert from 'node:assert/strict';
import { createLogger } from '../../src/util/logger';
import { startServer } from '../helpers/server';
import { fuzzEndpoint, type FuzzReport } from './harness';

export interface FuzzRun {
  frames: number;
  seed: number;
  burst: number;
}

/** Fuzzes /ws then /acp; fails on any wrong answer, missing answer, failed check prompt or server error log. */
export async function fuzzBothEndpoints(run: FuzzRun, print = false): Promise<Record<string, FuzzReport>> {
  const errors: string[] = [];
  const logger = createLogger('error', (line) => errors.push(line));
  // No rate limit: this run is about input handling; floods have their own tests.
  const server = await startServer({ rateLimitPerSecond: 0, maxSessionsPerClient: 16, logger });
  const reports: Record<string, FuzzReport> = {};
  try {
    for (const endpoint of ['ws', 'acp'] as const) {
      const report = await fuzzEndpoint({ url: server.urls()[endpoint], endpoint, frames: run.frames, seed: run.seed, burst: run.burst });
      reports[endpoint] = report;
      if (print) process.stdout.write(`  /${endpoint}: ${report.sent} frames, ${report.prompts} check prompts, seed ${run.seed}: ${JSON.stringify(report.byCategory)}\n`);
      assert.deepEqual(report.failures, [], `/${endpoint} with seed ${run.seed}`);
      assert.equal(report.sent, run.frames);
    }
  } finally {
    await server.close();
  }
  assert.deepEqual(errors, [], 'the server logged no errors');
  return reports;
}
