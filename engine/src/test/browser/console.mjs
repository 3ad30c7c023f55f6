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
  const expected = []; // console errors a step provokes on purpose (Chromium logs every refused request)
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected.some((e) => m.text().includes(e))) problems.push('console error: ' + m.text());
  });

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
    check(readers >= 39, 'the map shows the readers (' + readers + ')');
    check((await page.locator('#map text').count()) === 0, 'a map of many readers has no text labels (ids are tooltips)');
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
    check((await row.locator('.badge.stolen').count()) === 0, 'one click does not report a theft');
    await row.locator('.confirm-theft').click();
    await row.locator('.badge.stolen').waitFor();
    await page.waitForSelector('#theft-reports li.report');
    check((await page.textContent('#theft-reports')).includes('open'), 'the theft report is open');
    await shot('2-theft-reported');
    // the clerk finds the vehicle by its plate in any case, sees it stolen, and cannot register the plate again
    await page.click('#logout');
    await page.waitForSelector('#login-view:not([hidden])');
    await login(env('CLERK_USER'), env('CLERK_PASSWORD'));
    const plate = env('OWNER_PLATE');
    await page.fill('#search-plate', plate.toLowerCase());
    await page.click('#search-form button[type=submit]');
    await page.locator('#search-results li .badge.stolen').waitFor();
    check((await page.locator('#search-results li').count()) === 1, 'one vehicle has the plate');
    await page.fill('#reg-plate', plate.toLowerCase());
    await page.fill('#reg-tag', 'D0D0D0');
    await page.fill('#reg-owner', 'Someone Else');
    await page.fill('#reg-phone', '+31 6 7000 0099');
    expected.push('status of 409');
    await page.click('#register-form button[type=submit]');
    await page.waitForSelector('#clerk-error:not(:empty)');
    const error = await page.textContent('#clerk-error');
    check(error.includes('already registered') && !error.startsWith('plate:'), 'a plain error says the plate is taken: ' + error);
    check((await page.getAttribute('#reg-plate', 'aria-invalid')) === 'true', 'the plate input is marked');
    check((await page.textContent('#clerk-message')) === '', 'the error is not shown as a status');
    await shot('3-clerk-duplicate-plate');
  } else if (scenario === 'xss') {
    await login(env('OWNER_USER'), env('OWNER_PASSWORD'));
    const plate = page.locator('#vehicle-rows .plate', { hasText: XSS });
    await plate.waitFor();
    check((await plate.textContent()) === env('XSS_PLATE'), 'the owner sees the plate as text');
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
    check((await page.locator('#reader-rows tr').first().locator('.badge.offline').count()) === 1, 'offline readers come first');
    check(/1 online/.test(await page.textContent('#reader-summary')), 'the summary counts the online reader');
    await page.fill('#reader-filter', 'online');
    check((await page.locator('#reader-rows tr').count()) === 1, 'the filter keeps the online reader only');
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
