// The easemu dashboard: login, hash routing (#/devices, #/traffic, ...), the live event stream
// and a status line. Each view is a module whose render(container, route, ctx) returns an
// optional clean-up function, run when the view is left.

import { api, getToken, setToken, onUnauthorized, LiveEvents, ApiError } from './api.js';
import { h, replace } from './dom.js';
import * as devices from './view-devices.js';
import * as traffic from './view-traffic.js';
import * as policies from './view-policies.js';
import * as faults from './view-faults.js';
import * as certificates from './view-certificates.js';
import * as mailboxes from './view-mailboxes.js';

const views = { devices, traffic, policies, faults, certificates, mailboxes };

const $ = (id) => document.getElementById(id);
let cleanup = null;
let firstRender = true;
let renderSeq = 0;

const liveLabels = {
  off: 'Live updates off',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};
const events = new LiveEvents((state) => {
  const el = $('live-state');
  el.dataset.state = state;
  el.textContent = liveLabels[state] || state;
});

let statusTimer = 0;
// Announces a message in the polite live region (and shows it as a toast).
function announce(message, kind = 'info') {
  const el = $('status');
  el.textContent = message;
  el.dataset.kind = kind;
  el.classList.add('visible');
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => el.classList.remove('visible'), kind === 'error' ? 10000 : 5000);
}

// Route: "#/devices/alice%40lab.test/ID?x=1" -> {view: 'devices', parts: ['alice@lab.test', 'ID'], query}
export function parseRoute(hash) {
  const raw = (hash || '').replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const segments = path.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { view: segments[0] || 'devices', parts: segments.slice(1), query };
}

function showLogin(message) {
  events.stop();
  if (cleanup) cleanup();
  cleanup = null;
  replace($('view'));
  $('nav').hidden = true;
  $('session').hidden = true;
  $('login').hidden = false;
  $('login-message').textContent = message || '';
  document.title = 'Sign in · easemu dashboard';
  const input = $('token');
  input.value = '';
  input.focus();
}

function showApp() {
  $('login').hidden = true;
  $('nav').hidden = false;
  $('session').hidden = false;
  events.start();
  render();
}

const ctx = {
  api,
  events,
  announce,
  navigate(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  },
  rerender: () => render(),
};

async function render() {
  if (!getToken()) {
    showLogin();
    return;
  }
  const route = parseRoute(location.hash);
  const view = views[route.view];
  if (!view) {
    location.replace('#/devices');
    return;
  }
  if (cleanup) cleanup();
  cleanup = null;
  const seq = ++renderSeq;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === route.view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = view.title + ' · easemu dashboard';
  const container = $('view');
  replace(container);
  container.dataset.view = route.view;
  try {
    const c = await view.render(container, route, ctx);
    if (seq !== renderSeq) {
      if (typeof c === 'function') c();
      return;
    }
    cleanup = typeof c === 'function' ? c : null;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    if (seq !== renderSeq) return;
    container.appendChild(h('p', { class: 'message error', role: 'alert' }, 'This page could not be loaded: ' + e.message));
  }
  // A render counter: tests (and anyone curious) can tell that the page is complete.
  if (seq === renderSeq) container.dataset.ready = String(seq);
  // After a navigation, move focus to the new page's heading so keyboard and screen reader
  // users start there; not on the first load, where the browser's own focus is right.
  if (!firstRender && seq === renderSeq) {
    const heading = container.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
    }
  }
  firstRender = false;
}

function init() {
  onUnauthorized(() => showLogin('Your session ended: the server did not accept the admin token. Sign in again.'));

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    const button = ev.target.querySelector('button');
    button.disabled = true;
    $('login-message').textContent = '';
    try {
      await api.get('/api/v1/server', { token });
      setToken(token);
      if (!location.hash || location.hash === '#' || location.hash === '#main') location.replace('#/devices');
      showApp();
      announce('Signed in.');
    } catch (e) {
      $('login-message').textContent = e.status === 401 ? 'That token was not accepted. Check --admin-token.' : e.message;
      $('token').select();
    } finally {
      button.disabled = false;
    }
  });

  $('logout').addEventListener('click', () => {
    setToken('');
    showLogin('You are signed out.');
  });

  // The skip link must not change the hash (the hash is the route).
  $('skip-link').addEventListener('click', (ev) => {
    ev.preventDefault();
    $('main').focus();
  });

  window.addEventListener('hashchange', () => {
    if (getToken()) render();
  });

  if (getToken()) {
    if (!location.hash) location.replace('#/devices');
    showApp();
  } else {
    showLogin();
  }
}

init();
