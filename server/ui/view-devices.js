// Devices: the mobile device list as Exchange's admin centre shows it, and one device's details
// with Wipe, Block, Allow and Remove.

import { h, replace, table, timeEl, debounce, confirmDialog, psSingle, ISO_TIME } from './dom.js';
import { enc, runExchange } from './api.js';
import { accessBadge, policyStatusBadge, pageHeader, errorBox, valueText, exchangeResults, classify, marks, easStatusText } from './common.js';

export const title = 'Devices';

let filterText = '';

// Last sync: the device's last_success_sync (or the newest successful Sync/FolderSync in the
// journal); last Ping: the newest Ping in the journal (a Ping is journaled when it is answered),
// with the heartbeat of the latest one.
function pick(d, names) {
  for (const n of names) if (d[n] !== undefined) return { found: true, value: d[n] };
  return { found: false, value: null };
}

function journalTimes(entries) {
  const byDevice = new Map();
  for (const e of entries) {
    const key = (e.user || '').toLowerCase() + '\n' + (e.device_id || '').toLowerCase();
    let t = byDevice.get(key);
    if (!t) byDevice.set(key, (t = { sync: null, ping: null }));
    const ok = Number(e.http_status) === 200 && (Number(e.eas_status) === 1 || Number(e.eas_status) === 0);
    if (ok && (e.command === 'Sync' || e.command === 'FolderSync') && (!t.sync || e.time > t.sync)) t.sync = e.time;
    if (e.command === 'Ping' && (!t.ping || e.time > t.ping)) t.ping = e.time;
  }
  return byDevice;
}

function deviceTimes(d, journal) {
  const sync = pick(d, ['last_sync', 'last_sync_time', 'last_success_sync']);
  const ping = pick(d, ['last_ping', 'last_ping_time']);
  const j = journal.get((d.mailbox || '').toLowerCase() + '\n' + (d.device_id || '').toLowerCase()) || {};
  return {
    sync: sync.found ? sync.value : j.sync || null,
    ping: ping.found ? ping.value : j.ping || null,
    heartbeat: typeof d.last_ping_heartbeat === 'number' ? d.last_ping_heartbeat : null,
  };
}

function deviceHash(d) {
  return '#/devices/' + enc(d.mailbox) + '/' + enc(d.device_id);
}

function matches(d, text) {
  if (!text) return true;
  const needle = text.toLowerCase();
  return [d.mailbox, d.device_id, d.device_type, d.model, d.os, d.friendly_name, d.user_agent, d.access_state,
    d.policy_application_status, d.policy_applied].some((v) => String(v || '').toLowerCase().includes(needle));
}

export async function render(container, route, ctx) {
  if (route.parts.length >= 2) return renderDetail(container, route.parts[0], route.parts[1], ctx);
  if (route.parts.length === 1) return renderDetail(container, '', route.parts[0], ctx);
  return renderList(container, ctx);
}

async function renderList(container, ctx) {
  const count = h('p', { class: 'count', 'aria-live': 'polite' });
  const filter = h('input', { id: 'device-filter', type: 'search', value: filterText, placeholder: 'user, model, OS, state…', autocomplete: 'off' });
  const refreshBtn = h('button', { type: 'button', class: 'btn' }, 'Refresh');
  const area = h('div', { class: 'devices-area' });
  replace(container,
    pageHeader('Mobile devices', 'Every phone that reached an authenticated ActiveSync command, per mailbox.', refreshBtn),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field inline' }, h('label', { for: 'device-filter' }, 'Filter devices'), filter),
      count),
    area);

  let list = [];
  let journal = new Map();

  const draw = () => {
    const shown = list.filter((d) => matches(d, filterText));
    count.textContent = list.length === 0 ? '' : shown.length === list.length
      ? list.length + (list.length === 1 ? ' device' : ' devices')
      : shown.length + ' of ' + list.length + ' devices';
    if (list.length === 0) {
      replace(area, h('p', { class: 'empty' }, 'No device has connected yet. Point a phone (or ',
        h('code', null, 'easemu device'), ') at this server and it appears here.'));
      return;
    }
    const rows = shown.map((d) => {
      const t = deviceTimes(d, journal);
      const link = h('a', { href: deviceHash(d), class: 'device-link' }, d.device_id);
      const tr = h('tr', { class: 'clickable', 'data-device': d.device_id },
        h('td', null, d.mailbox),
        h('th', { scope: 'row' }, link),
        h('td', null, d.device_type),
        h('td', null, d.model || h('span', { class: 'muted' }, '—')),
        h('td', null, d.os || h('span', { class: 'muted' }, '—')),
        h('td', null, accessBadge(d.access_state)),
        h('td', null, policyStatusBadge(d.policy_application_status)),
        h('td', null, timeEl(t.sync)),
        h('td', null, t.ping || t.heartbeat === null ? timeEl(t.ping) : h('span', { class: 'muted' }, 'open'),
          t.heartbeat !== null ? h('span', { class: 'muted small block' }, 'heartbeat ' + t.heartbeat + ' s') : null));
      tr.addEventListener('click', (ev) => {
        if (ev.target.closest('a, button')) return;
        location.hash = deviceHash(d);
      });
      return tr;
    });
    const t = table(null, [
      { label: 'User' }, { label: 'Device ID' }, { label: 'Device type' }, { label: 'Model' }, { label: 'OS' },
      { label: 'Access state' }, { label: 'Policy status' }, { label: 'Last sync' }, { label: 'Last Ping' },
    ], rows, { class: 'devices' });
    replace(area, t.wrap);
    if (shown.length === 0) area.appendChild(h('p', { class: 'empty' }, 'No device matches the filter.'));
  };

  const load = async () => {
    try {
      const [d, j] = await Promise.all([
        ctx.api.get('/api/v1/devices'),
        ctx.api.get('/api/v1/journal?summary=1&limit=1000').catch(() => ({ entries: [] })),
      ]);
      list = (d && d.devices) || [];
      list.sort((a, b) => String(b.last_seen || '').localeCompare(String(a.last_seen || '')));
      journal = journalTimes((j && j.entries) || []);
      draw();
    } catch (e) {
      if (e.status !== 401) replace(area, errorBox(e));
    }
  };

  filter.addEventListener('input', () => {
    filterText = filter.value;
    draw();
  });
  refreshBtn.addEventListener('click', () => load().then(() => ctx.announce('Device list refreshed.')));
  await load();
  const later = debounce(load, 800);
  const unsubscribe = ctx.events.subscribe(later);
  const unsubscribeReopen = ctx.events.subscribe(later, 'reopen');
  const unsubscribeDevices = ctx.events.subscribe(later, 'device');
  return () => {
    unsubscribe();
    unsubscribeReopen();
    unsubscribeDevices();
    later.cancel();
  };
}

const FIELD_LABELS = {
  mailbox: 'Mailbox', device_id: 'Device ID', device_type: 'Device type', user_agent: 'User agent',
  protocol_version: 'ActiveSync version', first_seen: 'First sync', last_seen: 'Last sync attempt', model: 'Model',
  imei: 'IMEI', friendly_name: 'Friendly name', os: 'Operating system', os_language: 'OS language',
  phone_number: 'Phone number', mobile_operator: 'Mobile operator', policy_applied: 'Policy applied',
  policy_application_status: 'Policy application status', last_policy_update_time: 'Last policy update',
  wipe_request_time: 'Wipe requested', wipe_sent_time: 'Wipe sent', wipe_ack_time: 'Wipe acknowledged',
  wipe_account_only: 'Account-only wipe', wipe_status: 'Wipe status', access_state: 'Access state',
  access_state_reason: 'Access state reason', access_control_rule: 'Access control rule', status: 'Status',
  first_sync: 'First sync', last_sync_attempt: 'Last sync attempt', last_success_sync: 'Last successful sync',
  last_ping_heartbeat: 'Last Ping heartbeat', folders_synced: 'Folders synced',
};
// The same value under a second name (the API keeps both spellings): shown once.
const ALIASES = { user: 'mailbox', access_rule: 'access_control_rule', policy_name: 'policy_applied', first_sync: 'first_seen', last_sync_attempt: 'last_seen' };
const GROUPS = [
  ['Device', ['mailbox', 'device_id', 'device_type', 'model', 'os', 'os_language', 'friendly_name', 'imei', 'phone_number',
    'mobile_operator', 'user_agent', 'protocol_version']],
  ['Access and policy', ['access_state', 'access_state_reason', 'access_control_rule', 'status', 'policy_applied',
    'policy_application_status', 'last_policy_update_time', 'wipe_status', 'wipe_request_time', 'wipe_sent_time',
    'wipe_ack_time', 'wipe_account_only']],
  ['Synchronization', ['first_seen', 'last_seen', 'last_success_sync', 'last_ping_heartbeat', 'folders_synced']],
];
const TIME_FIELDS = /(_time|_seen|^last_sync|^last_success_sync|^first_sync)$/;

function fieldValue(k, v) {
  if ((TIME_FIELDS.test(k) && (typeof v === 'string' || v === null)) || (typeof v === 'string' && ISO_TIME.test(v))) return timeEl(v);
  if (k === 'access_state') return accessBadge(v);
  if (k === 'policy_application_status') return policyStatusBadge(v);
  if (k === 'last_ping_heartbeat' && typeof v === 'number') return v + ' s';
  return valueText(v);
}

function fieldList(obj, keys) {
  return h('dl', { class: 'fields' }, keys.map((k) => [h('dt', null, FIELD_LABELS[k] || k), h('dd', { 'data-field': k }, fieldValue(k, obj[k]))]));
}

// Every field of the device, in groups; fields the groups do not name go under "More".
function fieldGroups(device) {
  const named = new Set(GROUPS.flatMap(([, keys]) => keys));
  const skip = (k) => ALIASES[k] !== undefined && (ALIASES[k] in device) &&
    JSON.stringify(device[ALIASES[k]] || null) === JSON.stringify(device[k] || null);
  const groups = GROUPS.map(([title, keys]) => [title, keys.filter((k) => k in device)]);
  const rest = Object.keys(device).filter((k) => !named.has(k) && !skip(k));
  if (rest.length) groups.push(['More', rest]);
  return groups.filter(([, keys]) => keys.length).map(([title, keys], i) => h('section', { class: 'card', 'aria-labelledby': 'dev-group-' + i },
    h('h2', { id: 'dev-group-' + i }, title), fieldList(device, keys)));
}

async function renderDetail(container, mailbox, id, ctx) {
  const back = h('a', { href: '#/devices', class: 'back' }, '← All devices');
  const body = h('div', { class: 'device-detail' });
  replace(container, back, body);

  const result = h('div', { class: 'action-result', 'aria-live': 'polite' });
  let device = null;

  const q = mailbox ? '?mailbox=' + enc(mailbox) : '';

  const runAccess = async (block) => {
    const list = block ? 'ActiveSyncBlockedDeviceIDs' : 'ActiveSyncAllowedDeviceIDs';
    const other = block ? 'ActiveSyncAllowedDeviceIDs' : 'ActiveSyncBlockedDeviceIDs';
    const text = 'Set-CASMailbox -Identity ' + psSingle(device.mailbox) + ' -' + list + ' @{Add=' + psSingle(device.device_id) +
      '} -' + other + ' @{Remove=' + psSingle(device.device_id) + '}';
    try {
      const r = await runExchange(text);
      const ok = r.results.every((x) => x.ok);
      replace(result, h('p', null, ok
        ? (block ? 'Blocked: the device\'s next request is refused (Status 129 / HTTP 403).' : 'Allowed: the device may sync again.')
        : 'The cmdlet failed.'), exchangeResults(r.results));
      ctx.announce(ok ? (block ? 'Device ' + device.device_id + ' blocked.' : 'Device ' + device.device_id + ' allowed.') : 'The cmdlet failed.', ok ? 'info' : 'error');
      await load();
    } catch (e) {
      replace(result, errorBox(e));
    }
  };

  const wipe = async () => {
    const yes = await confirmDialog('Wipe this device?',
      'The device ' + device.device_id + ' (' + device.mailbox + ') gets a remote wipe on its next request: a real phone erases itself. ' +
      'You can cancel the request until the phone has received it.', 'Wipe device');
    if (!yes) return;
    try {
      const r = await ctx.api.post('/api/v1/devices/' + enc(device.device_id) + '/wipe', { json: { mailbox: device.mailbox } });
      replace(result, h('p', null, 'Remote wipe ' + (r.wipe || 'requested') + ' for ' + device.device_id + '.'));
      ctx.announce('Remote wipe requested for ' + device.device_id + '.');
      await load();
    } catch (e) {
      replace(result, errorBox(e));
    }
  };

  const cancelWipe = async () => {
    try {
      await ctx.api.post('/api/v1/devices/' + enc(device.device_id) + '/wipe', { json: { mailbox: device.mailbox, cancel: true } });
      replace(result, h('p', null, 'The remote wipe request was cancelled.'));
      ctx.announce('Remote wipe cancelled.');
      await load();
    } catch (e) {
      replace(result, errorBox(e));
    }
  };

  const remove = async () => {
    const yes = await confirmDialog('Remove this device partnership?',
      'The partnership of ' + device.device_id + ' with ' + device.mailbox + ' ends; its next request starts over with Provision and a full FolderSync.',
      'Remove device');
    if (!yes) return;
    try {
      await ctx.api.del('/api/v1/devices/' + enc(device.device_id) + '?mailbox=' + enc(device.mailbox));
      ctx.announce('Device ' + device.device_id + ' removed.');
      location.hash = '#/devices';
    } catch (e) {
      replace(result, errorBox(e));
    }
  };

  const load = async () => {
    let cas = null;
    let recent = [];
    try {
      device = await ctx.api.get('/api/v1/devices/' + enc(id) + q);
    } catch (e) {
      if (e.status === 401) return;
      replace(body, h('h1', null, 'Device ' + id), errorBox(e));
      return;
    }
    try {
      const [c, j] = await Promise.all([
        runExchange('Get-CASMailbox -Identity ' + psSingle(device.mailbox)).catch(() => null),
        ctx.api.get('/api/v1/journal?summary=1&limit=10&device=' + enc(device.device_id)).catch(() => null),
      ]);
      const cOut = c && c.results[0] && c.results[0].ok ? c.results[0].output : [];
      cas = cOut && cOut[0];
      recent = ((j && j.entries) || []).filter((e) => !e.user || e.user.toLowerCase() === device.mailbox.toLowerCase());
    } catch {
      // the extras are optional
    }
    const inList = (name) => cas && Array.isArray(cas[name]) && cas[name].some((x) => String(x).toLowerCase() === device.device_id.toLowerCase());
    const blockedIndividually = inList('ActiveSyncBlockedDeviceIDs');
    const allowedIndividually = inList('ActiveSyncAllowedDeviceIDs');
    const wipePending = device.wipe_request_time && !device.wipe_ack_time;

    const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Device actions' },
      h('button', { type: 'button', class: 'btn danger', id: 'action-wipe', onclick: wipe }, 'Wipe…'),
      wipePending ? h('button', { type: 'button', class: 'btn', onclick: cancelWipe }, 'Cancel wipe') : null,
      h('button', { type: 'button', class: 'btn', id: 'action-block', onclick: () => runAccess(true) }, 'Block'),
      h('button', { type: 'button', class: 'btn', id: 'action-allow', onclick: () => runAccess(false) }, 'Allow'),
      h('button', { type: 'button', class: 'btn danger', id: 'action-remove', onclick: remove }, 'Remove…'),
      h('a', { class: 'btn', href: '#/traffic?device=' + enc(device.device_id) }, 'Show traffic'));

    const listNote = blockedIndividually ? h('p', { class: 'note' }, h('span', { class: 'mark mark-http-error' }, 'Blocked'),
      ' This DeviceId is on the mailbox\'s ActiveSyncBlockedDeviceIDs list; the access state changes with the device\'s next request.')
      : allowedIndividually ? h('p', { class: 'note' }, h('span', { class: 'mark mark-ok' }, 'Allowed'),
        ' This DeviceId is on the mailbox\'s ActiveSyncAllowedDeviceIDs list.')
        : null;

    const recentTable = recent.length ? table('Latest requests', [
      { label: 'Time' }, { label: 'Command' }, { label: 'HTTP' }, { label: 'EAS status' }, { label: 'Note' },
    ], recent.map((e) => {
      const c = classify(e);
      return h('tr', { class: c.rowClass },
        h('td', null, timeEl(e.time, false)),
        h('th', { scope: 'row' }, h('a', { href: '#/traffic?device=' + enc(device.device_id) + '&entry=' + enc(e.id) }, e.command)),
        h('td', null, String(e.http_status)), h('td', null, easStatusText(e.eas_status) || '—'), h('td', null, marks(c.marks)));
    }), { class: 'compact', captionClass: 'visually-hidden' }).wrap : h('p', { class: 'muted' }, 'No requests in the journal.');

    const focusedId = document.activeElement && body.contains(document.activeElement) ? document.activeElement.id : '';
    replace(body,
      h('div', { class: 'page-header' },
        h('div', null, h('h1', null, device.model ? device.model : 'Device ' + device.device_id),
          h('p', { class: 'intro' }, device.device_id + ' · ' + device.mailbox + ' · ', accessBadge(device.access_state)))),
      actions, listNote, result,
      h('div', { class: 'columns three' }, fieldGroups(device)),
      h('section', { class: 'card', 'aria-labelledby': 'dev-recent' }, h('h2', { id: 'dev-recent' }, 'Recent traffic'), recentTable));
    // A refresh rebuilds the page; keep the keyboard focus where it was.
    if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
  };

  await load();
  const later = debounce(load, 1000);
  const unsubscribe = ctx.events.subscribe((e) => {
    if (device && String(e.device_id || '').toLowerCase() === device.device_id.toLowerCase()) later();
  });
  return () => {
    unsubscribe();
    later.cancel();
  };
}
