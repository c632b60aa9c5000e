// UI checks in a real VS Code (code-server) through headless Chromium, on the packaged extension:
//  1. F1 → "Punie: Ask" → type a question → Enter → the streamed answer is visible in the Punie chat view.
//  2. An answer quoting <img onerror>, <script> and a javascript: link renders inert (nothing runs, nothing loads).
//  3. Escape in the chat view while an answer streams stops it (the punie.cancel keybinding).
//  4. Screenshots of the chat in a dark and a high-contrast theme.
//  5. The review card of a proposed edit (test:tools model) in a light and a dark theme; Accept leaves an
//     "Accepted" label. (Needs SETTINGS: the user settings.json, to switch the model.)
// Screenshots go to <outDir>. Usage: node ui.mjs <workbenchUrl> <outDir>
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const { chromium } = createRequire(process.env.TOOLS + '/')('playwright-core');
const [url, out] = process.argv.slice(2);
const T0 = Date.now();
const t = (label) => console.log(`[ui +${((Date.now() - T0) / 1000).toFixed(1)}s] ${label}`);
const XSS = 'Show <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=1</script> and [click](javascript:window.__pwned=1)';

const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-udd-'));
const context = await chromium.launchPersistentContext(udd, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 900 },
});
const page = context.pages()[0] ?? (await context.newPage());
const dialogs = [];
page.on('dialog', (dialog) => {
  dialogs.push(dialog.message());
  void dialog.dismiss();
});
const requests = [];
page.on('request', (request) => {
  if (!request.url().startsWith('http://127.0.0.1') && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) requests.push(request.url());
});

/** The quick-pick row whose label is exactly `label`. */
function row(label) {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
}

/** Runs a command from the palette, retrying while the extension host is still registering contributions. */
async function runCommand(title) {
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 300 } }).catch(() => {});
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('>' + title);
    try {
      await row(title).waitFor({ timeout: 3000 });
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
      continue;
    }
    await row(title).click();
    return;
  }
  throw new Error(`command "${title}" never appeared in the palette`);
}

async function ask(question) {
  await runCommand('Punie: Ask');
  const input = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-widget', { hasText: 'Punie: Ask' }).waitFor({ timeout: 10_000 });
  await input.fill(question);
  await page.keyboard.press('Enter');
}

/** Picks a color theme through "Preferences: Color Theme". */
async function setTheme(name) {
  await runCommand('Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await input.fill(name);
  await row(name).waitFor({ timeout: 10_000 });
  await row(name).click();
  await page.waitForTimeout(1500);
}

/** The Punie chat webview's document (the view's iframe, then VS Code's inner active frame). */
const chat = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

let failed = false;
try {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench .statusbar').waitFor({ timeout: 60_000 });
  t('workbench loaded');

  await ask('What is Punie?');
  t('asked through the command palette');
  const answer = chat().locator('.item.agent').last();
  await answer.filter({ hasText: 'built-in test model' }).waitFor({ timeout: 60_000 });
  await chat().locator('.item.agent strong', { hasText: 'test' }).first().waitFor({ timeout: 10_000 });
  const text = (await answer.textContent()) ?? '';
  if (!text.includes('You asked: What is Punie?')) throw new Error(`unexpected answer: ${text.slice(0, 200)}`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(out, 'ask.png') });
  t(`answer visible in the chat view; screenshot ${path.join(out, 'ask.png')}`);

  await ask(XSS);
  const xss = chat().locator('.item.agent').last();
  await xss.filter({ hasText: 'onerror' }).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500);
  const inert = await xss.evaluate((el) => ({
    pwned: window.__pwned ?? null,
    images: el.querySelectorAll('img').length,
    scripts: el.querySelectorAll('script').length,
    handlers: [...el.querySelectorAll('*')].filter((n) => [...n.attributes].some((a) => /^on/i.test(a.name))).length,
    jsLinks: [...el.querySelectorAll('a')].filter((a) => !/^(https?|mailto):/i.test(a.getAttribute('href') ?? 'https:')).length,
    text: el.textContent,
  }));
  await page.screenshot({ path: path.join(out, 'xss-inert.png') });
  t(`xss answer: ${JSON.stringify({ ...inert, text: undefined })}`);
  if (inert.pwned !== null || inert.images || inert.scripts || inert.handlers || inert.jsLinks) throw new Error(`payload was not inert: ${JSON.stringify(inert)}`);
  if (!inert.text.includes('<script>window.__pwned=1</script>')) throw new Error('the payload should be shown as text');
  if (dialogs.length) throw new Error(`dialogs opened: ${dialogs.join(', ')}`);
  if (requests.some((r) => /\/x$|attacker/.test(r))) throw new Error(`the answer loaded something: ${requests.join(', ')}`);

  // The paced answer above must end first: Ask while an answer runs is refused with a message.
  await xss.filter({ hasText: 'once a real model asks' }).waitFor({ timeout: 30_000 });
  await ask('Please stop me');
  const stopped = chat().locator('.item.agent').last();
  await stopped.filter({ hasText: 'You asked: Please stop me' }).waitFor({ timeout: 60_000 });
  await chat().locator('.composer-input').click(); // the chat view has focus: the keybinding's `when`
  await page.keyboard.press('Escape');
  await chat().locator('.item.notice', { hasText: 'Stopped.' }).last().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(1500); // the whole reply would have streamed by now
  const partial = (await stopped.textContent()) ?? '';
  if (partial.includes('once a real model asks')) throw new Error('Escape did not stop the answer: it streamed to the end');
  t(`Escape stopped the answer after ${partial.length} characters`);

  for (const [theme, file] of [['Dark Modern', 'theme-dark.png'], ['Dark High Contrast', 'theme-high-contrast.png']]) {
    await setTheme(theme);
    await page.screenshot({ path: path.join(out, file) });
    t(`screenshot in ${theme}: ${path.join(out, file)}`);
  }

  const settingsFile = process.env.SETTINGS;
  fs.writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(settingsFile, 'utf8')), 'punie.model': 'test:tools' }, null, 2));
  await page.waitForTimeout(1500);
  await setTheme('Light Modern');
  await ask('Look at notes.md and run `true`');
  const waiting = chat().locator('.item.permission.review.waiting');
  await waiting.filter({ hasText: 'Write punie-notes.md' }).waitFor({ timeout: 60_000 });
  await waiting.locator('button.primary').click();
  const editCard = waiting.filter({ hasText: 'Edit punie-notes.md' });
  await editCard.waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  for (const [theme, file] of [['Light Modern', 'review-light.png'], ['Dark Modern', 'review-dark.png']]) {
    if (theme !== 'Light Modern') await setTheme(theme);
    await page.screenshot({ path: path.join(out, file) });
    await editCard.screenshot({ path: path.join(out, `card-${file}`) });
    t(`review card in ${theme}: ${path.join(out, file)}`);
  }
  const counts = (await editCard.locator('.review-counts').textContent()) ?? '';
  if (counts !== '+1−1') throw new Error(`unexpected +/- counts on the edit card: ${counts}`);
  await editCard.locator('button.primary').click();
  await chat().locator('.item.permission.waiting button[data-option-id="reject_once"]').click({ timeout: 30_000 });
  const decided = chat().locator('.item.permission.review').filter({ hasText: 'Edit punie-notes.md' });
  await decided.locator('.review-outcome', { hasText: 'Accepted' }).waitFor({ timeout: 30_000 });
  if ((await decided.locator('button.primary').count()) !== 0) throw new Error('the Accept button stayed after the decision');
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(out, 'review-decided.png') });
  t(`decided review card says Accepted; screenshot ${path.join(out, 'review-decided.png')}`);
  console.log('RESULT: PASS');
} catch (err) {
  failed = true;
  console.log('RESULT: FAIL', err.message);
  await page.screenshot({ path: path.join(out, 'ui-failure.png') }).catch(() => {});
} finally {
  await context.close();
  fs.rmSync(udd, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
