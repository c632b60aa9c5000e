/**
 * The latency a user sees: from the model producing a chunk to its text being in the chat's DOM, through the
 * real extension host, local server and webview (code-server driven by headless Chromium, the packaged VSIX).
 * The built-in test model stamps each chunk with its production time (`test?…&rate=R&stamp=1`); a
 * MutationObserver in the chat's webview reads the stamp back when the chunk's text is added to the DOM (a new
 * node, or text appended to one) and takes Date.now() (one machine, one wall clock). A rAF probe in the same
 * frame records the longest gap between frames: the longest the UI was frozen. At a model's pace (100 chunks/s)
 * the target is p99 < 50 ms; in a burst (10,000 chunks/s) the webview must never freeze for more than 100 ms. After each round at 100 chunks/s a bare
 * extension (bench/relayFloor) posts as many messages at the same pace to its own webview, which puts each in its
 * DOM on the next frame: the floor VS Code's relay sets on this machine, and what the chat adds over it. Each
 * round's CPU time per kind of process (bench/processCpu.ts) says what it cost, with less noise than its p99.
 * Skipped without the test tools cache.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cpuSince, PROCESS_KINDS, sampleCpu, type CpuSample } from './processCpu';
import { fmt, percentile, type Figure } from './report';
import { CHROMIUM, playwright, SKIPPED, testToolsDir } from './testTools';

const ROUNDS = 3;
const CHUNK_SIZE = 32;
const PHASES = [
  { name: 'at 100 chunks/s', rate: 100, chunks: 300 },
  { name: 'burst of 10,000 chunks/s', rate: 10_000, chunks: 20_000 },
] as const;
const ROOT = path.join(__dirname, '..');
/** The text of one of the chat's op messages at 100 chunks/s: one or two chunks (its host batches for 16 ms). */
const FLOOR_TEXT_SIZE = 48;

/** The few playwright-core calls used here (it lives in the tools cache, not in node_modules). */
interface Locator {
  click(options?: { position?: { x: number; y: number } }): Promise<void>;
  fill(text: string): Promise<void>;
  press(key: string): Promise<void>;
  waitFor(options?: { state?: 'visible' | 'hidden' | 'attached'; timeout?: number }): Promise<void>;
  first(): Locator;
  filter(options: { has?: Locator; hasText?: RegExp | string }): Locator;
  count(): Promise<number>;
  evaluate<R>(fn: string, arg?: unknown): Promise<R>;
  locator(selector: string, options?: { hasText?: RegExp | string }): Locator;
}
interface FrameLocator {
  locator(selector: string, options?: { hasText?: RegExp | string }): Locator;
  frameLocator(selector: string): FrameLocator;
}
interface Page {
  goto(url: string, options: { waitUntil: 'domcontentloaded' }): Promise<unknown>;
  locator(selector: string, options?: { hasText?: RegExp | string }): Locator;
  frameLocator(selector: string): FrameLocator;
  keyboard: { press(key: string): Promise<void> };
  waitForTimeout(ms: number): Promise<void>;
}
interface Context {
  pages(): Page[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Chromium {
  launchPersistentContext(dir: string, options: { executablePath: string; headless: boolean; args: string[]; viewport: { width: number; height: number } }): Promise<Context>;
}

/** What the relay-floor fixture's webview collected in one round (bench/relayFloor/extension.js). */
interface FloorProbe {
  latencies: number[];
  arrivals: number[];
}

/** What a page collected in one round, with the CPU time the round cost (added by the bench). */
type Measured<P> = P & { cpu: CpuSample };

/** What the probe in the webview collected during one answer. */
interface RoundProbe {
  latencies: number[];
  /** Per chunk: produced → its message arrived in the webview (what is upstream of the webview's own work). */
  arrivals: number[];
  firstStamp: number;
  lastStamp: number;
  longestFrameGapMs: number;
  longTasksMs: number[];
}

/**
 * Installed once in the chat's webview frame (expressions as strings: the page runs them as they are). Counts
 * chunk i only after chunk i − 1 and only if produced after the round began, so text re-added by a snapshot
 * never counts twice.
 */
const PROBE = `((root) => {
  const state = { latencies: [], arrived: {}, next: 0, since: Date.now(), firstStamp: 0, lastStamp: 0, longestFrameGapMs: 0, longTasksMs: [], last: performance.now(), want: Infinity, done: undefined };
  window.__latency = state;
  const stamp = /\\[(\\d+)@(\\d+)\\]/g;
  window.addEventListener('message', (event) => {
    const now = Date.now();
    const text = JSON.stringify(event.data) || '';
    for (const m of text.matchAll(stamp)) if (Number(m[2]) >= state.since && !(m[1] in state.arrived)) state.arrived[m[1]] = now - Number(m[2]);
  });
  new MutationObserver((records) => {
    const now = Date.now();
    // A streamed answer's tail grows by new text nodes or by text appended to one (the chat patches its tail).
    const texts = [];
    for (const record of records) {
      if (record.type === 'characterData') texts.push(record.target.data);
      else for (const node of record.addedNodes) texts.push(node.textContent || '');
    }
    for (const text of texts) {
      stamp.lastIndex = 0;
      for (let m = stamp.exec(text); m; m = stamp.exec(text)) {
        const at = Number(m[2]);
        if (Number(m[1]) !== state.next || at < state.since) continue;
        if (state.next === 0) state.firstStamp = at;
        state.lastStamp = at;
        state.latencies.push(now - at);
        state.next++;
      }
    }
    if (state.done && state.next >= state.want) state.done();
  }).observe(root, { childList: true, characterData: true, subtree: true });
  state.until = (n) => new Promise((resolve) => { state.want = n; state.done = resolve; if (state.next >= n) resolve(); });
  const frame = (t) => {
    state.longestFrameGapMs = Math.max(state.longestFrameGapMs, t - state.last);
    state.last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => { for (const e of list.getEntries()) state.longTasksMs.push(e.duration); }).observe({ type: 'longtask' });
})(document.querySelector('.scroller'))`;
const RESET = `void Object.assign(window.__latency, { latencies: [], arrived: {}, next: 0, since: Date.now(), longestFrameGapMs: 0, longTasksMs: [], last: performance.now(), want: Infinity, done: undefined })`;
const READ = `(({ latencies, arrived, next, firstStamp, lastStamp, longestFrameGapMs, longTasksMs }) => ({ latencies, arrivals: latencies.map((_, i) => arrived[i] ?? NaN), next, firstStamp, lastStamp, longestFrameGapMs, longTasksMs }))(window.__latency)`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits for a promise the page resolves itself (the probe's MutationObserver says when the last chunk is in): polling
 * from here would run playwright's frame lookups every few milliseconds on the same two cores as what is measured.
 */
async function inTime<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** code-server with the packaged extension and the relay-floor fixture installed, on a loopback port; stopped with its process group. */
async function startCodeServer(tools: string, run: string): Promise<{ url: string; process: ChildProcess }> {
  const vsix = path.join(ROOT, `punie-${(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}.vsix`);
  const bin = path.join(tools, 'cs', 'node_modules', '.bin', 'code-server');
  const env = { ...process.env, PATH: `${path.join(tools, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, XDG_CONFIG_HOME: path.join(run, 'xdg-config'), XDG_DATA_HOME: path.join(run, 'xdg-data'), HOME: path.join(run, 'home') };
  for (const dir of ['ud/User', 'ext', 'ws', 'home']) mkdirSync(path.join(run, dir), { recursive: true });
  const settings = { 'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true, 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'update.mode': 'none', 'workbench.enableExperiments': false, 'security.workspace.trust.enabled': false, 'workbench.tips.enabled': false, 'git.enabled': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'punie.model': 'test' };
  writeFileSync(path.join(run, 'ud', 'User', 'settings.json'), JSON.stringify(settings));
  const dirs = ['--user-data-dir', path.join(run, 'ud'), '--extensions-dir', path.join(run, 'ext')];
  execFileSync(bin, [...dirs, '--install-extension', vsix], { env, stdio: 'ignore' });
  const floorVsix = path.join(run, 'relay-floor.vsix');
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '-o', floorVsix], { cwd: path.join(__dirname, 'relayFloor'), stdio: 'ignore' });
  execFileSync(bin, [...dirs, '--install-extension', floorVsix], { env, stdio: 'ignore' });
  const port = await freePort();
  const child = spawn(bin, ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...dirs, path.join(run, 'ws')], { env, detached: true, stdio: 'ignore' });
  await waitUntil('code-server', () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false), 30_000);
  return { url: `http://127.0.0.1:${port}/?folder=${path.join(run, 'ws')}`, process: child };
}

/**
 * Runs a command from the palette, retrying while the extension host is still registering contributions. The
 * UI checks (test/vscode/ui.mjs, plain JS run outside the TypeScript build) have the same loop.
 */
async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 0; attempt < 15; attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 300 } }).catch(() => {});
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('>' + title);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first();
    try {
      await row.waitFor({ timeout: 3000 });
      await row.click();
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  throw new Error(`command "${title}" never appeared in the palette`);
}

async function measure(tools: string): Promise<{ results: Map<string, Measured<RoundProbe>[]>; floors: Measured<FloorProbe>[] }> {
  const run = mkdtempSync(path.join(os.tmpdir(), 'punie-e2e-latency-'));
  const server = await startCodeServer(tools, run);
  const { chromium } = playwright<{ chromium: Chromium }>(tools);
  const context = await chromium.launchPersistentContext(path.join(run, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench .statusbar').waitFor({ timeout: 60_000 });
    await runCommand(page, 'Punie: Open Chat');
    const chat = page.frameLocator('iframe.webview.ready[src*="extensionId=punie.punie&"]').frameLocator('#active-frame');
    const transcript = chat.locator('.scroller');
    await chat.locator('.composer-input').waitFor({ timeout: 30_000 });
    await transcript.evaluate(PROBE);
    const send = async (text: string) => {
      const input = chat.locator('.composer-input');
      await input.click();
      await input.fill(text);
      await input.press('Enter');
    };
    const idle = () => chat.locator('.composer .send:not([hidden])').waitFor({ timeout: 120_000 });
    await runCommand(page, 'Punie Bench: Relay Floor');
    const floor = page.frameLocator('iframe.webview.ready[src*="extensionId=punie-bench.relay-floor&"]').frameLocator('#active-frame').locator('#out');
    await floor.waitFor({ state: 'attached', timeout: 30_000 });
    const results = new Map<string, Measured<RoundProbe>[]>();
    const floors: Measured<FloorProbe>[] = [];
    for (const phase of PHASES) {
      const switched = () => chat.locator('.item.agent', { hasText: 'The model is now' }).count();
      const before = await switched();
      await send(`/model test?chunks=${phase.chunks}&chunkSize=${CHUNK_SIZE}&rate=${phase.rate}&stamp=1`);
      await waitUntil('the model switch', async () => (await switched()) > before, 30_000);
      await idle();
      const rounds: Measured<RoundProbe>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await transcript.evaluate(RESET);
        const before = sampleCpu();
        await send(`Latency round ${round + 1}`);
        await inTime(`all ${phase.chunks} chunks in the DOM`, transcript.evaluate(`window.__latency.until(${phase.chunks})`), 120_000);
        const cpu = cpuSince(before);
        rounds.push({ ...(await transcript.evaluate<RoundProbe>(READ)), cpu });
        await idle();
        // After the chat's round, so the chat's first answer still comes first after the window opens.
        if (phase.rate === 100) {
          const floorBefore = sampleCpu();
          const probe = await inTime('the relay floor round', floor.evaluate<FloorProbe>(`window.__floor.start(${phase.chunks}, ${phase.rate}, ${FLOOR_TEXT_SIZE}).then(() => ({ latencies: window.__floor.latencies, arrivals: window.__floor.arrivals }))`), 60_000);
          floors.push({ ...probe, cpu: cpuSince(floorBefore) });
        }
      }
      results.set(phase.name, rounds);
    }
    return { results, floors };
  } finally {
    await context.close();
    if (server.process.pid) process.kill(-server.process.pid, 'SIGTERM');
    rmSync(run, { recursive: true, force: true });
  }
}

export async function run(): Promise<Figure[]> {
  const tools = testToolsDir();
  if (!tools) {
    console.log(SKIPPED);
    return [];
  }
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'ignore' });
  const { results, floors } = await measure(tools);
  const figures: Figure[] = [];
  const list = (xs: number[], digits = 1) => xs.map((x) => fmt(x, digits)).join(', ');
  for (const phase of PHASES) {
    const rounds = results.get(phase.name)!;
    const rate = rounds.map((r) => ((r.latencies.length - 1) * 1000) / Math.max(1, r.lastStamp - r.firstStamp));
    const produced = `${phase.chunks} chunks of ${CHUNK_SIZE} characters per answer, produced at ${list(rate, 0)} chunks/s`;
    const p50 = rounds.map((r) => percentile(r.latencies, 50));
    const p99 = rounds.map((r) => percentile(r.latencies, 99));
    // How much of the p99 is upstream of the webview (extension host, code-server, the workbench relaying the message).
    const arrivalP99 = rounds.map((r) => percentile(r.arrivals.filter(Number.isFinite), 99));
    const longest = rounds.map((r) => Math.max(...r.latencies));
    const stall = rounds.map((r) => r.longestFrameGapMs);
    const longTask = rounds.map((r) => Math.max(0, ...r.longTasksMs));
    const stallLine = `longest long task ${list(longTask)} ms; long tasks (> 50 ms) per answer ${list(rounds.map((r) => r.longTasksMs.length), 0)}`;
    if (phase.rate === 100) {
      figures.push(
        { name: `${phase.name}: chunk produced → in the chat's DOM, p50`, rounds: p50, unit: 'ms', baseline: produced },
        { name: `${phase.name}: chunk produced → in the chat's DOM, p99`, rounds: p99, unit: 'ms', target: { op: '<', limit: 50 }, baseline: `longest ${list(longest)} ms; produced → message in the webview, p99 ${list(arrivalP99, 0)} ms` },
        { name: `${phase.name}: longest gap between webview frames`, rounds: stall, unit: 'ms', baseline: stallLine },
        {
          name: `${phase.name}: relay floor (a bare extension's message → its webview's next frame), p99`,
          rounds: floors.map((f) => percentile(f.latencies, 99)),
          unit: 'ms',
          baseline: `p50 ${list(floors.map((f) => percentile(f.latencies, 50)))} ms; message arrived, p99 ${list(floors.map((f) => percentile(f.arrivals, 99)), 0)} ms; each round just after the chat's`,
        },
        { name: `${phase.name}: p99 the chat adds over the floor`, rounds: p99.map((x, i) => x - percentile(floors[i]!.latencies, 99)), unit: 'ms', baseline: 'per round: the chat\'s p99 − the floor\'s p99 of the round after it' },
      );
    } else {
      figures.push(
        { name: `${phase.name}: chunk produced → in the chat's DOM, p50 / p99`, rounds: p99, unit: 'ms (p99)', baseline: `${produced}; p50 ${list(p50)} ms; longest ${list(longest)} ms; produced → message in the webview, p99 ${list(arrivalP99, 0)} ms` },
        { name: `${phase.name}: longest gap between webview frames (UI frozen)`, rounds: stall, unit: 'ms', target: { op: '<', limit: 100 }, baseline: stallLine },
      );
    }
    const others = (measured: { cpu: CpuSample }[]) => PROCESS_KINDS.filter((k) => k !== 'renderer').map((k) => `${k} ${list(measured.map((m) => m.cpu[k]), 0)}`).join('; ');
    const floorLine = phase.rate === 100 ? `; the floor's rounds: renderer ${list(floors.map((f) => f.cpu.renderer), 0)}; ${others(floors)} ms` : '';
    figures.push({ name: `${phase.name}: CPU time of a chat round, Chromium's renderer (every thread)`, rounds: rounds.map((r) => r.cpu.renderer), unit: 'ms', digits: 0, baseline: `${others(rounds)} ms${floorLine}` });
  }
  return figures;
}
