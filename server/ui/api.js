// The admin API client: every call carries the admin token as a Bearer token; a 401 anywhere
// ends the session (the app shows the login form again).

const TOKEN_KEY = 'easemu.admin-token';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const unauthorizedListeners = new Set();
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
}

function unauthorized() {
  setToken('');
  for (const fn of unauthorizedListeners) fn();
}

// request('GET', '/api/v1/devices') -> parsed JSON. opts: {json}, {text}, {raw: true} (the
// Response, for answers such as 400 from /exchange that carry results), {token} (login check).
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  const token = opts.token ?? getToken();
  if (token) headers.Authorization = 'Bearer ' + token;
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.text !== undefined) {
    headers['Content-Type'] = 'text/plain; charset=utf-8';
    body = opts.text;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'omit', signal: opts.signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'The server did not answer (' + e.message + ').');
  }
  if (response.status === 401) {
    if (opts.token === undefined) unauthorized();
    throw new ApiError(401, 'The server did not accept the admin token.');
  }
  let data = null;
  const type = response.headers.get('Content-Type') || '';
  const text = await response.text();
  if (type.includes('json') && text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (opts.raw) return { status: response.status, ok: response.ok, data, text };
  if (!response.ok) {
    const message = data && typeof data.error === 'string' ? data.error : text.trim() || response.statusText;
    throw new ApiError(response.status, 'HTTP ' + response.status + ': ' + message);
  }
  return data;
}

export const api = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, opts) => request('POST', path, opts),
  put: (path, opts) => request('PUT', path, opts),
  del: (path, opts) => request('DELETE', path, opts),
};

// Runs Exchange Management Shell text; answers {status, results: [{command, ok, output|error}]}
// whatever the HTTP status (400 means some statement failed, and its result says which).
export async function runExchange(text) {
  const r = await request('POST', '/api/v1/exchange', { text, raw: true });
  if (r.data && Array.isArray(r.data.results)) return { status: r.status, results: r.data.results };
  const message = r.data && r.data.error ? r.data.error : r.text.trim() || 'HTTP ' + r.status;
  throw new ApiError(r.status, message);
}

export function enc(s) {
  return encodeURIComponent(s);
}

// Live journal events: a one-time ticket (POST /api/v1/events/ticket) opens the EventSource,
// since EventSource cannot send an Authorization header. On an error the stream is closed and a
// new ticket fetched, with a growing delay.
export class LiveEvents {
  constructor(onState) {
    this.listeners = new Set();
    this.source = null;
    this.timer = 0;
    this.delay = 1000;
    this.running = false;
    this.opened = false;
    this.onState = onState || (() => {});
  }

  // fn(data) for each event of the type: 'journal' (a request, summary fields), 'device'
  // ({device_id, mailbox}: a partnership changed) or 'reopen' (the stream reconnected: events may
  // have been missed).
  subscribe(fn, type = 'journal') {
    const entry = { fn, type };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop() {
    this.running = false;
    this.opened = false;
    clearTimeout(this.timer);
    if (this.source) this.source.close();
    this.source = null;
    this.onState('off');
  }

  async connect() {
    if (!this.running) return;
    this.onState('connecting');
    let ticket;
    try {
      const r = await api.post('/api/v1/events/ticket');
      ticket = r && r.ticket;
      if (!ticket) throw new Error('no ticket in the answer');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;  // the session ended
      this.retry();
      return;
    }
    if (!this.running) return;
    const source = new EventSource('/api/v1/events?ticket=' + encodeURIComponent(ticket));
    this.source = source;
    source.addEventListener('open', () => {
      this.delay = 1000;
      this.onState('live');
      // After a reconnection, views fetch what they missed ('reopen' listeners).
      if (this.opened) this.emit('reopen', {});
      this.opened = true;
    });
    for (const type of ['journal', 'device']) {
      source.addEventListener(type, (ev) => {
        let data;
        try {
          data = JSON.parse(ev.data);
        } catch {
          return;
        }
        this.emit(type, data);
      });
    }
    source.addEventListener('error', () => {
      if (this.source !== source) return;
      source.close();
      this.source = null;
      this.retry();
    });
  }

  emit(type, data) {
    for (const l of [...this.listeners]) {
      if (l.type !== type) continue;
      try {
        l.fn(data);
      } catch (e) {
        console.error(e);
      }
    }
  }

  retry() {
    if (!this.running) return;
    this.onState('reconnecting');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(this.delay * 2, 30000);
  }
}
