// Browser tests of the web dashboard (/ui/): the real `easemu serve` on 127.0.0.1 (ports 0),
// simulated phones from `easemu device`, and Debian's chromium driven by playwright-core.
//
//   EASEMU_BIN=build/easemu node --test tests/browser/dashboard.test.mjs
//   ctest --test-dir build -L browser
//
// Environment: EASEMU_BIN (required: the easemu binary); EASEMU_ARTIFACTS (screenshots; default
// tests/browser/artifacts, ctest passes <build>/browser-artifacts); EASEMU_BROWSER_LOG=1 (the
// server's log beside them); CHROMIUM (default /usr/bin/chromium); EASEMU_UI_DIR (passed on to
// the server: test the files on disk instead of the embedded ones).
// Missing chromium, playwright-core or the binary is a failure, not a skip: CI installs them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = process.env.EASEMU_BIN || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.resolve(process.env.EASEMU_ARTIFACTS || fileURLToPath(new URL('./artifacts', import.meta.url)));
const TOKEN = 'browser-test-token';
const USER = 'alice@lab.test';
const PASSWORD = 'Passw0rd';
const HOST = 'mail.lab.test';
const XSS_SUBJECT = '<img src=x onerror=alert(1)>';
const XSS_MODEL = '<img src=x onerror=alert(2)><script>alert(3)</script>';
const WAIT = 15000;

let server = null;
let serverLog = '';
let ports = null;
let context = null;
let page = null;
let work = '';
let caFile = '';
const dialogs = [];
const pageErrors = [];
const cspViolations = [];
const started = Date.now();

// ---- the server ----

function startServer() {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    // A hermetic demo lab: no lab file, data directory or token from the caller's environment.
    for (const k of ['EASEMU_ADMIN_TOKEN', 'EASEMU_CONFIG', 'EASEMU_DATA_DIR', 'EASEMU_TLS_MODE', 'EASEMU_PUBLIC_URL']) delete env[k];
    const args = ['serve', '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--admin-token', TOKEN,
      '--hostname', HOST, '--log-level', 'info'];
    const child = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    const timer = setTimeout(() => reject(new Error('easemu serve printed no ports within 20 s:\n' + serverLog)), 20000);
    const onData = (chunk) => {
      serverLog += chunk.toString();
      const m = /listening: HTTPS [^\s:]+:(\d+).*HTTP [^\s:]+:(\d+)/.exec(serverLog);
      if (m && !ports) {
        ports = { https: Number(m[1]), http: Number(m[2]) };
        clearTimeout(timer);
        resolve(ports);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      if (!ports) {
        clearTimeout(timer);
        reject(new Error('easemu serve exited (' + (code ?? signal) + ') before listening:\n' + serverLog));
      }
    });
  });
}

function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => server.kill('SIGKILL'), 5000);
    server.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    server.kill('SIGTERM');
  });
}

// Whatever happens, the server does not outlive the test process.
process.on('exit', () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
});

const base = () => 'http://127.0.0.1:' + ports.http;

async function adminGet(p) {
  const r = await fetch(base() + p, { headers: { Authorization: 'Bearer ' + TOKEN } });
  assert.equal(r.status, 200, 'GET ' + p);
  return r.json();
}

// ---- simulated phones ----

function runDevice(deviceId, profile = 'wp7', extra = []) {
  return new Promise((resolve, reject) => {
    const args = ['device', '--server', 'https://' + HOST + ':' + ports.https, '--resolve', HOST + ':127.0.0.1',
      '--ca', caFile, '--user', USER, '--password', PASSWORD, '--profile', profile, '--device-id', deviceId,
      '--ping-hold', '1', ...extra];
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

// ---- the browser ----

async function shot(name) {
  await page.screenshot({ path: path.join(ARTIFACTS, name + '.png'), fullPage: true });
}

// Navigates by hash and waits until the view has rendered (#view's data-ready counter grows).
async function go(hash) {
  const ready = () => page.evaluate(() => Number(document.getElementById('view').dataset.ready || 0));
  const before = await ready();
  const same = await page.evaluate((h) => location.hash === h, hash);
  if (same) await page.reload();
  else await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((b) => Number(document.getElementById('view').dataset.ready || 0) > (b === null ? 0 : b),
    same ? null : before, { timeout: WAIT });
}

before(async () => {
  assert.ok(BIN, 'EASEMU_BIN must name the easemu binary');
  assert.ok(existsSync(BIN), 'no easemu binary at ' + BIN);
  assert.ok(existsSync(CHROMIUM), 'no chromium at ' + CHROMIUM + ' (scripts/install-deps.sh installs Debian\'s chromium)');
  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch (e) {
    throw new Error('playwright-core is not installed in tests/browser (scripts/install-deps.sh runs npm ci): ' + e.message);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), 'easemu-browser-'));

  await startServer();
  // The lab CA, as a phone downloads it from /certsrv/.
  const ca = await fetch(base() + '/certsrv/ca.pem');
  assert.equal(ca.status, 200);
  caFile = path.join(work, 'ca.pem');
  writeFileSync(caFile, await ca.text());

  // A fresh profile directory for every run.
  context = await playwright.chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('dialog', async (d) => {
    dialogs.push(d.type() + ': ' + d.message());
    await d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
});

after(async () => {
  try {
    if (context) await context.close();
  } finally {
    await stopServer();
    if (work) rmSync(work, { recursive: true, force: true });
    if (process.env.EASEMU_BROWSER_LOG && serverLog) writeFileSync(path.join(ARTIFACTS, 'server.log'), serverLog);
    console.log('# browser tests took ' + ((Date.now() - started) / 1000).toFixed(1) + ' s; screenshots in ' + ARTIFACTS);
  }
});

// ---- the scenarios, in order: each builds on the one before ----

test('the dashboard is served with its security headers and asks for the token', async () => {
  const r = await fetch(base() + '/ui/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /text\/html/);
  assert.match(r.headers.get('content-security-policy') || '', /default-src 'self'/);
  const js = await fetch(base() + '/ui/app.js');
  assert.match(js.headers.get('content-type') || '', /javascript/);

  await page.goto(base() + '/ui/');
  await page.locator('#login-form').waitFor();
  assert.equal(await page.locator('#nav').isVisible(), false, 'no navigation before login');

  await page.fill('#token', 'wrong-token');
  await page.click('#login-form button[type=submit]');
  await page.locator('#login-message', { hasText: 'not accepted' }).waitFor();
  await shot('01-login');

  await page.fill('#token', TOKEN);
  await page.press('#token', 'Enter');
  await page.locator('#nav').waitFor({ state: 'visible' });
  await page.locator('#view h1', { hasText: 'Mobile devices' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('easemu.admin-token')), TOKEN);
  await page.locator('#live-state[data-state="live"]').waitFor();
});

test('a phone that connects appears in the device list', async () => {
  await page.locator('#view .empty').waitFor();
  const run = await runDevice('BROWSERWP7A');
  assert.equal(run.code, 0, 'the wp7 phone syncs with the Default policy:\n' + run.out);
  // Live: the list refreshes from the event stream, without a reload.
  const row = page.locator('table.devices tbody tr', { hasText: 'BROWSERWP7A' });
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /alice@lab\.test/);
  assert.match(text, /\bWP\b/);
  assert.match(text, /Allowed/);
  assert.match(text, /AppliedInFull/);
  assert.doesNotMatch(text, /never\s+never\s*$/, 'last sync is known');

  await page.fill('#device-filter', 'nothing-matches-this');
  await page.locator('#view .empty', { hasText: 'No device matches' }).waitFor();
  await page.fill('#device-filter', 'browserwp7');
  await row.waitFor();
  await shot('02-devices');
  await page.fill('#device-filter', '');
});

test('the FolderSync exchange opens with its decoded request and response', async () => {
  await go('#/traffic?device=BROWSERWP7A');
  const button = page.locator('table.traffic tbody tr[data-command="FolderSync"] button').first();
  await button.waitFor();
  // Keyboard: focus the row's button and press Enter.
  await button.focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('#exchange-dialog');
  await dialog.locator('.xml-pair').waitFor();
  const request = await dialog.locator('.xml-pane').nth(0).locator('pre.xml').innerText();
  const response = await dialog.locator('.xml-pane').nth(1).locator('pre.xml').innerText();
  assert.match(request, /<FolderSync xmlns="FolderHierarchy:">/);
  assert.match(request, /<SyncKey>0<\/SyncKey>/);
  assert.match(response, /<FolderSync xmlns="FolderHierarchy:">/);
  assert.match(response, /<DisplayName>Inbox<\/DisplayName>/);
  assert.match(response, /<Status>1<\/Status>/);
  const meta = await dialog.locator('.meta').innerText();
  assert.match(meta, /HTTP status\s+200/i);
  assert.match(meta, /EAS status\s+1/i);
  await shot('04-traffic-exchange');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // The first FolderSync got 142: the server asking the phone to provision, the normal start of a
  // partnership. It is marked as such, not as a failure.
  const first = page.locator('table.traffic tbody tr[data-command="FolderSync"]').last();
  assert.match(await first.innerText(), /142/);
  assert.equal(await first.locator('.mark-prov', { hasText: 'Provisioning required' }).count(), 1);
  assert.equal(await first.locator('.mark-prov-fail').count(), 0);
  await shot('03-traffic');

  // The session export: a JSON file with every request of the device, bodies included.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#traffic-export')]);
  const file = path.join(work, 'session.json');
  await download.saveAs(file);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(doc.device_id, 'BROWSERWP7A');
  assert.ok(doc.entries.length >= 4, 'the whole session: ' + doc.entries.length);
  assert.ok(doc.entries.some((e) => e.command === 'FolderSync' && /Inbox/.test(e.response_xml)));
});

test('a blocked device is refused on its next request, and the traffic view shows it', async () => {
  await go('#/devices/' + encodeURIComponent(USER) + '/BROWSERWP7A');
  await page.click('#action-block');
  await page.locator('.action-result', { hasText: 'Blocked' }).waitFor();
  await page.locator('.note', { hasText: 'ActiveSyncBlockedDeviceIDs' }).waitFor();
  await shot('05-device-detail');

  await go('#/traffic?device=BROWSERWP7A');
  const ids = () => page.evaluate(() => [...document.querySelectorAll('table.traffic tbody tr')].map((r) => Number(r.dataset.id)));
  const maxBefore = Math.max(0, ...(await ids()));
  const run = await runDevice('BROWSERWP7A');
  assert.equal(run.code, 1, 'the blocked phone shows an error:\n' + run.out);
  // The refused request arrives live, marked as more than a colour.
  const refusedId = await (await page.waitForFunction((max) => {
    const rows = [...document.querySelectorAll('table.traffic tbody tr.row-prov-fail, table.traffic tbody tr.row-http-error')];
    const fresh = rows.find((r) => Number(r.dataset.id) > max);
    return fresh ? fresh.dataset.id : null;
  }, maxBefore)).jsonValue();
  const text = await page.locator('table.traffic tbody tr[data-id="' + refusedId + '"]').innerText();
  assert.match(text, /129|403/, 'DeviceIsBlockedForThisUser: ' + text);
  assert.match(text, /Access refused|HTTP error/);
  const now = await ids();
  assert.equal(now[0], Math.max(...now), 'newest on top');
  await shot('06-traffic-refused');

  const device = await adminGet('/api/v1/devices/BROWSERWP7A');
  assert.equal(device.access_state, 'Blocked');

  // Allow it again through the same page.
  await go('#/devices/' + encodeURIComponent(USER) + '/BROWSERWP7A');
  await page.click('#action-allow');
  await page.locator('.action-result', { hasText: 'Allowed' }).waitFor();
  assert.equal((await runDevice('BROWSERWP7A')).code, 0, 'allowed again, it syncs');
});

test('a fault added in the form is hit by a device request', async () => {
  await go('#/faults');
  await page.locator('#view .empty', { hasText: 'No fault rules' }).waitFor();
  await page.fill('#fault-command', 'FolderSync');
  await page.fill('#fault-device-id', 'BROWSERWP7A');
  await page.selectOption('#fault-action', 'delay_ms');
  await page.fill('#fault-amount', '5');
  await page.click('#fault-form button[type=submit]');
  const row = page.locator('table.faults tbody tr').first();
  await row.waitFor();
  const id = await row.getAttribute('data-fault');
  assert.match(id, /^f\d+$/);
  assert.equal((await row.locator('td.hits').innerText()).trim(), '0');

  assert.equal((await runDevice('BROWSERWP7A')).code, 0);
  // The hit count refreshes from the live events.
  await page.locator('table.faults tbody tr[data-fault="' + id + '"] td.hits', { hasText: /^[1-9]/ }).waitFor();
  await shot('07-faults');
  // The hit is marked in the traffic view too.
  await go('#/traffic?device=BROWSERWP7A');
  await page.locator('table.traffic tbody tr[data-command="FolderSync"] .mark-fault', { hasText: 'Fault ' + id }).first().waitFor();
  await go('#/faults');

  await page.click('table.faults tbody tr[data-fault="' + id + '"] button');
  await page.locator('#view .empty', { hasText: 'No fault rules' }).waitFor();
});

test('the policies view shows WP7 syncing with WP7 and refused by Strict, and runs cmdlets', async () => {
  await go('#/policies');
  const strict = page.locator('section.policy[data-policy="Strict"]');
  const wp7 = page.locator('section.policy[data-policy="WP7"]');
  await strict.waitFor();
  assert.match(await strict.locator('tr[data-profile="wp7"]').innerText(), /Refused/);
  assert.match(await strict.locator('tr[data-profile="wp7"]').innerText(), /RequireDeviceEncryption/);
  assert.match(await wp7.locator('tr[data-profile="wp7"]').innerText(), /Syncs/);
  assert.match(await page.locator('section.policy[data-policy="Default"] h2').innerText(), /Default/);

  await page.fill('#policy-cmdlets', 'Get-MobileDeviceMailboxPolicy -Identity "Strict"\nGet-MobileDeviceMailboxPolicy -Identity "Nope"');
  await page.click('#policy-editor button[type=submit]');
  await page.locator('.results li.result-ok', { hasText: 'Get-MobileDeviceMailboxPolicy -Identity "Strict"' }).waitFor();
  await page.locator('.results li.result-error', { hasText: "couldn't be found" }).waitFor();
  await shot('08-policies');
});

test('the mailbox view lists an injected message, with markup shown as text', async () => {
  await go('#/mailboxes/' + encodeURIComponent(USER));
  await page.locator('nav.folders a[aria-current="page"]', { hasText: 'Inbox' }).waitFor();
  await page.fill('#inject-subject', XSS_SUBJECT);
  await page.fill('#inject-from', 'Tester <tester@example.test>');
  await page.fill('#inject-text', 'Hello from the browser test');
  await page.click('#inject-form button[type=submit]');
  const row = page.locator('table.messages tbody tr', { hasText: XSS_SUBJECT });
  await row.waitFor();
  assert.equal(await row.locator('th.subject').evaluate((el) => el.firstChild.textContent), XSS_SUBJECT);
  assert.equal(await page.locator('#view img').count(), 0, 'the subject made no element');
  await page.locator('table.mailboxes th a', { hasText: USER }).waitFor();
  await shot('09-mailboxes');
});

test('markup in a device model is shown as text, never run', async () => {
  const profiles = path.join(work, 'profiles.yaml');
  writeFileSync(profiles, 'profiles:\n  - name: xss-phone\n    base: wp7\n    model: ' + JSON.stringify(XSS_MODEL) + '\n');
  const run = await runDevice('BROWSERXSS1', 'xss-phone', ['--profiles-file', profiles]);
  assert.equal(run.code, 0, run.out);
  const stored = await adminGet('/api/v1/devices/BROWSERXSS1');
  assert.equal(stored.model, XSS_MODEL, 'the simulator sent the model as given');

  await go('#/devices');
  await page.fill('#device-filter', '');
  const row = page.locator('table.devices tbody tr', { hasText: 'BROWSERXSS1' });
  await row.waitFor();
  assert.equal(await row.locator('td').nth(2).innerText(), XSS_MODEL);
  await go('#/devices/' + encodeURIComponent(USER) + '/BROWSERXSS1');
  assert.equal(await page.locator('#view h1').innerText(), XSS_MODEL);
  assert.equal(await page.locator('#view img, #view script').count(), 0);
  // Give any injected handler a moment to fire.
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no alert() ran');
});

test('wipe (confirmed, then cancelled) and remove from the device page', async () => {
  await go('#/devices/' + encodeURIComponent(USER) + '/BROWSERXSS1');
  // Cancelling the confirmation does nothing.
  await page.click('#action-wipe');
  await page.locator('dialog.confirm[open]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('dialog.confirm').waitFor({ state: 'detached' });
  assert.equal((await adminGet('/api/v1/devices/BROWSERXSS1')).wipe_request_time, null);

  await page.click('#action-wipe');
  await page.click('dialog.confirm button[value="ok"]');
  await page.locator('.action-result', { hasText: 'Remote wipe requested' }).waitFor();
  assert.notEqual((await adminGet('/api/v1/devices/BROWSERXSS1')).wipe_request_time, null);
  await page.locator('button', { hasText: 'Cancel wipe' }).click();
  await page.locator('.action-result', { hasText: 'cancelled' }).waitFor();

  await page.click('#action-remove');
  await page.click('dialog.confirm button[value="ok"]');
  await page.locator('#view h1', { hasText: 'Mobile devices' }).waitFor();
  await page.locator('table.devices tbody tr', { hasText: 'BROWSERXSS1' }).waitFor({ state: 'detached' });
  const r = await fetch(base() + '/api/v1/devices/BROWSERXSS1', { headers: { Authorization: 'Bearer ' + TOKEN } });
  assert.equal(r.status, 404);
});

test('the certificates view switches the TLS mode and links the CA downloads', async () => {
  await go('#/certificates');
  await page.locator('#tls-current', { hasText: 'lab-ca' }).waitFor();
  for (const href of ['/certsrv/', '/certsrv/ca.cer', '/certsrv/ca.pem', '/certsrv/easemu-ca.mobileconfig']) {
    assert.equal(await page.locator('a[href="' + href + '"]').count(), 1, href);
  }
  await page.check('#tls-mode-expired');
  await page.click('#tls-form button[type=submit]');
  await page.locator('#tls-current', { hasText: 'expired' }).waitFor();
  assert.equal((await adminGet('/api/v1/tls')).mode, 'expired');
  await shot('10-certificates');
  await page.check('#tls-mode-lab-ca');
  await page.click('#tls-form button[type=submit]');
  await page.locator('#tls-current', { hasText: 'lab-ca' }).waitFor();
});

test('a tablet-sized window still shows every view', async () => {
  await page.setViewportSize({ width: 820, height: 1180 });
  await go('#/devices');
  await page.locator('table.devices tbody tr').first().waitFor();
  await shot('11-devices-tablet');
  await go('#/traffic');
  await page.locator('table.traffic tbody tr').first().waitFor();
  await shot('12-traffic-tablet');
  await page.setViewportSize({ width: 1366, height: 900 });
});

test('a rejected token returns to the login form; logout forgets the token', async () => {
  await page.evaluate(() => sessionStorage.setItem('easemu.admin-token', 'stale-token'));
  await page.evaluate(() => { location.hash = '#/faults'; });
  await page.locator('#login-message', { hasText: 'session ended' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('easemu.admin-token')), null);
  await page.fill('#token', TOKEN);
  await page.press('#token', 'Enter');
  await page.locator('#view h1', { hasText: 'Fault injection' }).waitFor();
  await page.click('#logout');
  await page.locator('#login-form').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('easemu.admin-token')), null);
});

test('no script error, CSP violation or dialog happened', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(dialogs, []);
});
