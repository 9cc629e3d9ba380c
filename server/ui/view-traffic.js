// Traffic: the request journal as a live timeline, newest on top; each request opens into its
// decoded request and response XML side by side. A device's session exports as a JSON file.

import { h, replace, table, timeEl, xmlView } from './dom.js';
import { enc } from './api.js';
import { classify, marks, easStatusText, errorBox, pageHeader, faultOf } from './common.js';

export const title = 'Traffic';

const MAX_ROWS = 500;

function row(e, open) {
  const c = classify(e);
  const button = h('button', { type: 'button', class: 'linkish', 'aria-label': 'Open ' + e.command + ' request ' + e.id }, e.command);
  button.addEventListener('click', () => open(e.id));
  const tr = h('tr', { class: ['clickable', c.rowClass], 'data-id': e.id, 'data-command': e.command },
    h('td', null, timeEl(e.time, false)),
    h('td', { class: 'col-user' }, e.user),
    h('td', { class: 'mono' }, e.device_id, e.device_type ? h('span', { class: 'muted' }, ' ' + e.device_type) : null),
    h('th', { scope: 'row' }, button),
    h('td', { class: ['num', Number(e.http_status) >= 400 || Number(e.http_status) === 0 ? 'bad-text' : null] }, String(e.http_status)),
    h('td', { class: 'col-eas' }, easStatusText(e.eas_status) || h('span', { class: 'muted' }, '—')),
    h('td', { class: 'col-note' }, marks(c.marks)),
    h('td', { class: 'num' }, (e.duration_ms ?? '') + ' ms'));
  tr.addEventListener('click', (ev) => {
    if (ev.target.closest('button, a')) return;
    open(e.id);
  });
  return tr;
}

async function fetchEntry(ctx, id, device) {
  try {
    return await ctx.api.get('/api/v1/journal/' + enc(id));
  } catch (e) {
    if (e.status !== 404 && e.status !== 400) throw e;
    // A server without GET /api/v1/journal/{id}: look for it in the full list.
    const list = await ctx.api.get('/api/v1/journal?limit=1000' + (device ? '&device=' + enc(device) : ''));
    const found = ((list && list.entries) || []).find((x) => String(x.id) === String(id));
    if (!found) throw e;
    return found;
  }
}

function detailContent(e) {
  const c = classify(e);
  const fault = faultOf(e);
  const meta = [
    ['Time', timeEl(e.time)], ['User', e.user], ['Device', e.device_id + (e.device_type ? ' (' + e.device_type + ')' : '')],
    ['ActiveSync version', e.protocol_version], ['HTTP status', String(e.http_status)],
    ['EAS status', easStatusText(e.eas_status) || '— (none)'], ['Duration', (e.duration_ms ?? '?') + ' ms'],
  ];
  if (fault) meta.push(['Fault rule', fault]);
  const headers = (label, text) => text ? h('details', null, h('summary', null, label), h('pre', { class: 'headers' }, text)) : null;
  return [
    h('div', { class: 'meta-row' }, h('dl', { class: 'meta' }, meta.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))),
      h('div', { class: 'marks' }, marks(c.marks))),
    h('div', { class: 'xml-pair' },
      h('section', { class: 'xml-pane', 'aria-labelledby': 'xml-req-title' }, h('h3', { id: 'xml-req-title' }, 'Request'),
        headers('Request headers', e.request_headers), xmlView(e.request_xml, 'Request XML')),
      h('section', { class: 'xml-pane', 'aria-labelledby': 'xml-resp-title' }, h('h3', { id: 'xml-resp-title' }, 'Response'),
        headers('Response headers', e.response_headers), xmlView(e.response_xml, 'Response XML'))),
  ];
}

export async function render(container, route, ctx) {
  const device = route.query.get('device') || '';
  const select = h('select', { id: 'traffic-device' }, h('option', { value: '' }, 'All devices'));
  const live = h('input', { type: 'checkbox', id: 'traffic-live', checked: true });
  const exportBtn = h('button', { type: 'button', class: 'btn', id: 'traffic-export', disabled: !device }, 'Export session (JSON)');
  const exportHint = h('span', { class: 'muted small', id: 'export-hint' }, device ? '' : 'Choose a device to export its session.');
  exportBtn.setAttribute('aria-describedby', 'export-hint');
  const info = h('p', { class: 'count', 'aria-live': 'polite' });
  const area = h('div');
  const closeBtn = h('button', { type: 'button', class: 'btn close', 'aria-label': 'Close' }, 'Close');
  const dlgTitle = h('h2', { id: 'exchange-title' });
  const dlgBody = h('div', { class: 'exchange-body' });
  const dialog = h('dialog', { class: 'exchange', id: 'exchange-dialog', 'aria-labelledby': 'exchange-title' },
    h('div', { class: 'dialog-head' }, dlgTitle, closeBtn), dlgBody);
  closeBtn.addEventListener('click', () => dialog.close());
  dialog.addEventListener('click', (ev) => {
    if (ev.target === dialog) dialog.close();  // a click on the backdrop
  });

  replace(container,
    pageHeader('Traffic', 'Each ActiveSync request as the server saw it, newest first. Open one to read the decoded request and response.'),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field inline' }, h('label', { for: 'traffic-device' }, 'Device'), select),
      h('div', { class: 'field inline check' }, live, h('label', { for: 'traffic-live' }, 'Live updates')),
      h('div', { class: 'field inline' }, exportBtn, exportHint),
      info),
    area, dialog);

  let tbody = null;
  let count = 0;
  const knownDevices = new Set();

  const addOption = (id, label) => {
    if (!id || knownDevices.has(id.toLowerCase())) return;
    knownDevices.add(id.toLowerCase());
    select.appendChild(h('option', { value: id }, label || id));
    if (id === device) select.value = id;
  };

  const open = async (id) => {
    dlgTitle.textContent = 'Request ' + id;
    replace(dlgBody, h('p', { class: 'muted' }, 'Loading…'));
    if (!dialog.open) dialog.showModal();
    try {
      const e = await fetchEntry(ctx, id, device);
      dlgTitle.textContent = e.command + ' · ' + (e.user || '') + ' · ' + e.device_id;
      replace(dlgBody, detailContent(e));
    } catch (err) {
      replace(dlgBody, errorBox(err));
    }
  };

  select.addEventListener('change', () => {
    location.hash = '#/traffic' + (select.value ? '?device=' + enc(select.value) : '');
  });

  exportBtn.addEventListener('click', async () => {
    if (!device) return;
    exportBtn.disabled = true;
    try {
      const list = await ctx.api.get('/api/v1/journal?device=' + enc(device) + '&limit=1000');
      let entries = (list && list.entries) || [];
      // A summary-only answer lacks the bodies: fetch each entry.
      if (entries.some((e) => e.request_xml === undefined && e.response_xml === undefined)) {
        entries = await Promise.all(entries.map((e) => fetchEntry(ctx, e.id, device)));
      }
      entries.sort((a, b) => Number(a.id) - Number(b.id));
      const doc = { format: 'easemu-session', version: 1, exported: new Date().toISOString(), server: location.origin, device_id: device, entries };
      const blob = new Blob([JSON.stringify(doc, null, 2) + '\n'], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: 'easemu-session-' + device.replace(/[^A-Za-z0-9._-]/g, '_') + '-' +
        new Date().toISOString().replace(/[:.]/g, '-') + '.json', class: 'hidden' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      ctx.announce('Exported ' + entries.length + ' requests of ' + device + '.');
    } catch (e) {
      ctx.announce('Export failed: ' + e.message, 'error');
    } finally {
      exportBtn.disabled = false;
    }
  });

  const setInfo = () => {
    info.textContent = count === 0 ? '' : count + (count === 1 ? ' request' : ' requests') + (count >= 200 ? ' (latest shown)' : '');
  };

  const draw = (entries) => {
    if (entries.length === 0) {
      tbody = null;
      replace(area, h('p', { class: 'empty', id: 'traffic-empty' }, device
        ? 'No request from ' + device + ' yet.'
        : 'No request yet. Requests appear here as phones send them.'));
      return;
    }
    const t = table(null, [
      { label: 'Time' }, { label: 'User', class: 'col-user' }, { label: 'Device' }, { label: 'Command' }, { label: 'HTTP', class: 'num' },
      { label: 'EAS status', class: 'col-eas' }, { label: 'Note' }, { label: 'Duration', class: 'num' },
    ], entries.map((e) => row(e, open)), { class: 'traffic' });
    tbody = t.body;
    replace(area, t.wrap);
  };

  try {
    const [j, d] = await Promise.all([
      ctx.api.get('/api/v1/journal?summary=1&limit=200' + (device ? '&device=' + enc(device) : '')),
      ctx.api.get('/api/v1/devices').catch(() => ({ devices: [] })),
    ]);
    for (const x of (d && d.devices) || []) addOption(x.device_id, x.device_id + ' (' + x.mailbox + ', ' + x.device_type + ')');
    const entries = (j && j.entries) || [];
    for (const e of entries) addOption(e.device_id, e.device_id + ' (' + e.user + ', ' + e.device_type + ')');
    if (device) {
      addOption(device);
      select.value = device;
    }
    count = entries.length;
    setInfo();
    draw(entries);
  } catch (e) {
    if (e.status !== 401) replace(area, errorBox(e));
    return undefined;
  }

  const maxId = () => Math.max(0, ...[...(tbody ? tbody.rows : [])].map((r) => Number(r.dataset.id) || 0));
  const add = (e) => {
    addOption(e.device_id, e.device_id + ' (' + e.user + ', ' + e.device_type + ')');
    if (!live.checked) return;
    if (device && String(e.device_id).toLowerCase() !== device.toLowerCase()) return;
    if (tbody && tbody.querySelector('tr[data-id="' + CSS.escape(String(e.id)) + '"]')) return;
    const tr = row(e, open);
    tr.classList.add('fresh');
    if (!tbody) draw([e]);
    else tbody.insertBefore(tr, tbody.firstChild);
    while (tbody && tbody.rows.length > MAX_ROWS) tbody.deleteRow(tbody.rows.length - 1);
    count += 1;
    setInfo();
  };
  const unsubscribe = ctx.events.subscribe(add);
  // Back from a lost connection: fetch what happened meanwhile, oldest first.
  const unsubscribeReopen = ctx.events.subscribe(async () => {
    try {
      const j = await ctx.api.get('/api/v1/journal?summary=1&limit=1000&after=' + maxId() + (device ? '&device=' + enc(device) : ''));
      for (const e of ((j && j.entries) || []).slice().reverse()) add(e);
    } catch {
      // the next event or a reload shows them
    }
  }, 'reopen');

  const entryParam = route.query.get('entry');
  if (entryParam) open(entryParam);

  return () => {
    unsubscribe();
    unsubscribeReopen();
    if (dialog.open) dialog.close();
  };
}
