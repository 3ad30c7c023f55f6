// Drives the TagWatch console in Debian's Chromium (headless) through one scenario.
// Run by ConsoleBrowserTest: node console.mjs <scenario>, with TAGWATCH_URL, CHROMIUM, SCREENSHOT_DIR
// and the accounts in the environment. Prints "PUBLISH" when the test should make a reader publish,
// "OK <scenario>" on success; any failed check throws (exit code 1, the reason on stderr).
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const scenario = process.argv[2];
const env = (name) => {
  if (!process.env[name]) throw new Error('environment variable ' + name + ' is not set');
  return process.env[name];
};
const base = env('TAGWATCH_URL');
const shots = env('SCREENSHOT_DIR');
mkdirSync(shots, { recursive: true });
const XSS = '<script>alert(1)</script>';
const stdin = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => stdin.once('line', resolve));

function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

const profile = mkdtempSync(join(tmpdir(), 'tagwatch-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const problems = [];
const outside = [];
// Everything must come from the engine: a request anywhere else (a CDN, map tiles) is refused and reported.
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  if (url.origin === new URL(base).origin) return route.continue();
  outside.push(url.href);
  return route.abort();
});

try {
  const page = context.pages()[0] || await context.newPage();
  page.on('dialog', (d) => { problems.push('a dialog opened: ' + d.message()); d.dismiss(); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });

  const login = async (user, password) => {
    await page.goto(base + '/');
    await page.fill('#username', user);
    await page.fill('#password', password);
    await page.click('#login-button');
    await page.waitForSelector('#logout:not([hidden])');
  };
  const shot = (name) => page.screenshot({ path: join(shots, scenario + '-' + name + '.png'), fullPage: true });

  if (scenario === 'officer') {
    await login(env('OFFICER_USER'), env('OFFICER_PASSWORD'));
    await page.waitForSelector('#stream-state.live');
    const readers = await page.locator('#map circle.reader').count();
    check(readers >= 2, 'the map shows the readers (' + readers + ')');
    await shot('1-logged-in');
    console.log('PUBLISH');
    check((await nextLine()) === 'PUBLISHED', 'the test published the read');
    const item = page.locator('#hit-list li', { has: page.locator('.plate', { hasText: XSS }) });
    await item.first().waitFor({ timeout: 15000 });
    await page.waitForSelector('#map circle.hit');
    await shot('2-hit-live');
    await item.first().click();
    await page.waitForSelector('#hit-detail:not([hidden])');
    check((await page.textContent('#hit-plate')) === XSS, 'the plate shows as typed, as text');
    await page.waitForSelector('#hit-track li');
    check((await page.locator('#hit-track li').count()) >= 2, 'the track lists the earlier pass and the hit');
    await page.click('#ack-button');
    await page.waitForSelector('#hit-list li.acknowledged');
    check((await page.textContent('#hit-fields')).includes('acknowledged'), 'the detail says acknowledged');
    check(await page.isDisabled('#ack-button'), 'acknowledge is done once');
    await shot('3-acknowledged');
    await page.selectOption('#resolution', 'false_alarm');
    await page.click('#resolve-button');
    await page.waitForSelector('#hit-list li.resolved');
    check((await page.textContent('#hit-fields')).includes('false_alarm'), 'the detail shows the resolution');
    check(await page.isDisabled('#resolve-button'), 'a resolved hit cannot be resolved again');
  } else if (scenario === 'owner') {
    await login(env('OWNER_USER'), env('OWNER_PASSWORD'));
    const row = page.locator('#vehicle-rows tr', { has: page.locator('.plate', { hasText: env('OWNER_PLATE') }) });
    await row.waitFor();
    await shot('1-my-vehicles');
    await row.locator('.report-theft').click();
    await row.locator('.badge.stolen').waitFor();
    await page.waitForSelector('#theft-reports li.report');
    check((await page.textContent('#theft-reports')).includes('open'), 'the theft report is open');
    await shot('2-theft-reported');
  } else if (scenario === 'xss') {
    await login(env('OWNER_USER'), env('OWNER_PASSWORD'));
    const plate = page.locator('#vehicle-rows .plate', { hasText: XSS });
    await plate.waitFor();
    check((await plate.textContent()) === XSS, 'the owner sees the plate as text');
    check((await page.locator('#vehicle-rows img, #vehicle-rows script').count()) === 0, 'no element was made from data');
    await shot('1-owner');
    await page.click('#logout');
    await page.waitForSelector('#login-view:not([hidden])');
    await login(env('ADMIN_USER'), env('ADMIN_PASSWORD'));
    const reader = page.locator('#reader-rows tr', { hasText: env('XSS_READER') });
    await reader.waitFor();
    check((await reader.textContent()).includes('<img src=x onerror=alert(3)>'), 'the reader name shows as text');
    check((await page.locator('#reader-rows .badge.online').count()) >= 1, 'an online reader is shown online');
    check((await page.locator('#reader-rows .badge.offline').count()) >= 1, 'a reader never connected is offline');
    check((await page.locator('#reader-rows img, #reader-rows script').count()) === 0, 'no element was made from data');
    await shot('2-admin-readers');
  } else {
    throw new Error('unknown scenario ' + scenario);
  }
  check((await page.locator('script').count()) === 1, 'the only script on the page is the console\'s own');
  check(problems.length === 0, problems.join('; '));
  check(outside.length === 0, 'requests left the engine: ' + outside.join(', '));
  console.log('OK ' + scenario);
} finally {
  await context.close();
  stdin.close();
  rmSync(profile, { recursive: true, force: true });
}
