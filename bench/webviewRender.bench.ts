/**
 * Webview render cost in Chromium: a 1 MB markdown answer (paragraphs, lists, code, tables) streamed in
 * 32-character chunks, 16 chunks per update (what the host's batching sends per ~33 ms at ~15 k chunks/s).
 * Prints the time per update for the first and last 1 % of updates (target: last ≤ 1.5 × first) and the
 * longest update (target < 50 ms), plus what a full re-render of the whole answer costs per update, for comparison.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { RenderBenchResult } from './webviewRenderPage';
import { fmt, median, percentile, repeat, type Figure } from './report';
import { CHROMIUM, playwright, SKIPPED, testToolsDir } from './testTools';

const ANSWER_BYTES = 1024 * 1024;
const CHUNK = 32;
const CHUNKS_PER_UPDATE = 16;
const WARMUP_CHUNKS = 2048;

/** A deterministic long answer that looks like a real one. */
export function longAnswer(bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    let part: string;
    switch (i % 6) {
      case 0:
        part = `## Step ${i}\n\nThis part explains **step ${i}** of the change, with \`inline code\` and a [link](https://example.com/${i}). It goes on for a while so that the paragraph wraps over several lines in a narrow view.\n\n`;
        break;
      case 1:
        part = `- first point about ${i}\n- second point, with *emphasis*\n- third point\n  continued on a second line\n\n`;
        break;
      case 2:
        part = '```ts\n' + Array.from({ length: 12 }, (_, k) => `const value${k} = compute(${i}, ${k}); // line ${k}`).join('\n') + '\n```\n\n';
        break;
      case 3:
        part = `| name | value |\n|------|-------|\n| a${i} | ${i * 2} |\n| b${i} | ${i * 3} |\n\n`;
        break;
      case 4:
        part = `> A quoted remark number ${i}, kept short.\n\n1. one\n2. two\n3. three\n\n`;
        break;
      default:
        part = `Plain closing text for section ${i}. `.repeat(4) + '\n\n';
    }
    parts.push(part);
    size += part.length;
  }
  return parts.join('').slice(0, bytes);
}

/** The few playwright-core calls used here (it is installed in the tools cache, not in node_modules). */
interface Page {
  setContent(html: string): Promise<void>;
  addStyleTag(options: { content: string }): Promise<unknown>;
  addScriptTag(options: { content: string }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  close(): Promise<void>;
}
interface Chromium {
  launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<{ newPage(o: { viewport: { width: number; height: number } }): Promise<Page>; close(): Promise<void> }>;
}

const ROUNDS = 3;

export async function run(): Promise<Figure[]> {
  const tools = testToolsDir();
  if (!tools) {
    console.log(SKIPPED);
    return [];
  }
  const { chromium } = playwright<{ chromium: Chromium }>(tools);
  const bundle = await esbuild.build({ entryPoints: [path.join(__dirname, 'webviewRenderPage.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome120', minify: true });
  const text = longAnswer(ANSWER_BYTES);
  const chunks = text.match(new RegExp(`[\\s\\S]{1,${CHUNK}}`, 'g'))!;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const rounds = await repeat(ROUNDS, async () => {
      const page = await browser.newPage({ viewport: { width: 400, height: 800 } });
      await page.setContent('<!DOCTYPE html><html><body></body></html>');
      await page.addStyleTag({ content: readFileSync(path.join(__dirname, '..', 'media', 'chat.css'), 'utf8') });
      await page.addScriptTag({ content: bundle.outputFiles[0].text });
      const args: [string[], number, number] = [chunks, CHUNKS_PER_UPDATE, WARMUP_CHUNKS];
      const result: RenderBenchResult = await page.evaluate(([c, n, w]) => window.runRenderBench(c, n, w), args);
      await page.close();
      const count = result.updateMs.length;
      const onePercent = Math.max(1, Math.floor(count / 100));
      return {
        first: median(result.updateMs.slice(0, onePercent)),
        last: median(result.updateMs.slice(count - onePercent)),
        longest: Math.max(...result.updateMs),
        p99: percentile(result.updateMs, 99),
        full: result.fullRenderMs,
        count,
      };
    });
    const list = (xs: number[]) => xs.map((x) => fmt(x, 1)).join(', ');
    console.log(`answer: ${fmt(ANSWER_BYTES / 1024, 0)} KiB in ${chunks.length} chunks of ${CHUNK} chars, ${rounds[0].count} updates of ${CHUNKS_PER_UPDATE} chunks each`);
    return [
      { name: 'time per update, last 1 % ÷ first 1 % (medians of each)', rounds: rounds.map((r) => r.last / r.first), unit: '×', digits: 2, target: { op: '<=', limit: 1.5 }, baseline: `first 1 %: ${list(rounds.map((r) => r.first))} ms; last 1 %: ${list(rounds.map((r) => r.last))} ms` },
      { name: 'longest update', rounds: rounds.map((r) => r.longest), unit: 'ms', target: { op: '<', limit: 50 }, baseline: `p99 ${list(rounds.map((r) => r.p99))} ms; one full re-render of the final answer ${list(rounds.map((r) => r.full))} ms` },
    ];
  } finally {
    await browser.close();
  }
}
