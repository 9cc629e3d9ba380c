// Faults: the fault injection rules with their hit counts; add one with a form, remove one or all.
// The rule format is docs/faults.md's.

import { h, replace, table, debounce, confirmDialog } from './dom.js';
import { enc } from './api.js';
import { pageHeader, errorBox, badge } from './common.js';

export const title = 'Faults';

const COMMANDS = ['Sync', 'FolderSync', 'Ping', 'Provision', 'Settings', 'GetItemEstimate', 'ItemOperations', 'SendMail',
  'SmartReply', 'SmartForward', 'MoveItems', 'Search', 'ResolveRecipients', 'FolderCreate', 'FolderUpdate', 'FolderDelete',
  'MeetingResponse', 'ValidateCert', 'GetAttachment', 'Find'];
const VERSIONS = ['2.5', '12.0', '12.1', '14.0', '14.1', '16.0', '16.1'];
const ACTIONS = [
  { value: 'http_status', label: 'HTTP error status', number: { min: 400, max: 599, value: 503, label: 'HTTP status' } },
  { value: 'eas_status', label: 'EAS status in the body', number: { min: 1, max: 999, value: 3, label: 'EAS status' } },
  { value: 'delay_ms', label: 'Delay the answer', number: { min: 0, max: 600000, value: 2000, label: 'Delay (ms)' } },
  { value: 'drop', label: 'Drop the connection' },
  { value: 'corrupt_body', label: 'Corrupt the body' },
  { value: 'truncate_body', label: 'Truncate the body' },
  { value: 'policy_refresh', label: 'Force a policy refresh' },
];

export function describeAction(a) {
  if (!a) return '';
  const parts = [];
  for (const [k, v] of Object.entries(a)) parts.push(v === true ? k : k + '=' + v);
  return parts.join(' ');
}

function describeMatch(m) {
  const entries = Object.entries(m || {});
  if (!entries.length) return 'every request';
  return entries.map(([k, v]) => k + '=' + v).join(', ');
}

function field(id, label, input, hint) {
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { class: 'hint' }, hint) : null);
}

export async function render(container, route, ctx) {
  const area = h('div', { class: 'faults-area' });
  const refreshBtn = h('button', { type: 'button', class: 'btn' }, 'Refresh');
  const removeAllBtn = h('button', { type: 'button', class: 'btn danger' }, 'Remove all…');

  const user = h('input', { type: 'text', autocomplete: 'off', placeholder: 'alice@lab.test or alice' });
  const deviceId = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const deviceType = h('input', { type: 'text', autocomplete: 'off', placeholder: 'WP, iPhone, Android…' });
  const command = h('input', { type: 'text', autocomplete: 'off', list: 'fault-commands', placeholder: 'any command' });
  const commands = h('datalist', { id: 'fault-commands' }, COMMANDS.map((c) => h('option', { value: c })));
  const version = h('select', null, h('option', { value: '' }, 'any'), VERSIONS.map((v) => h('option', { value: v }, v)));
  const action = h('select', null, ACTIONS.map((a) => h('option', { value: a.value }, a.label)));
  const amount = h('input', { type: 'number', required: true, inputmode: 'numeric' });
  const amountLabel = h('label', { for: 'fault-amount' }, 'HTTP status');
  amount.id = 'fault-amount';
  const amountField = h('div', { class: 'field' }, amountLabel, amount);
  const retryAfter = h('input', { type: 'number', min: '0', placeholder: '30' });
  const locationInput = h('input', { type: 'url', placeholder: 'this server' });
  const retryField = field('fault-retry-after', 'Retry-After (seconds)', retryAfter);
  const locationField = field('fault-location', 'X-MS-Location', locationInput);
  const probability = h('input', { type: 'number', min: '0', max: '1', step: 'any', value: '1' });
  const count = h('input', { type: 'number', min: '1', placeholder: 'unlimited' });
  const formMessage = h('p', { class: 'form-message', 'aria-live': 'polite' });
  const addBtn = h('button', { type: 'submit', class: 'btn primary' }, 'Add fault');

  const syncAction = () => {
    const a = ACTIONS.find((x) => x.value === action.value);
    amountField.hidden = !a.number;
    amount.required = Boolean(a.number);
    if (a.number) {
      amountLabel.textContent = a.number.label;
      amount.min = String(a.number.min);
      amount.max = String(a.number.max);
      if (amount.dataset.kind !== a.value) {
        amount.value = String(a.number.value);
        amount.dataset.kind = a.value;
      }
    }
    const http = a.value === 'http_status';
    retryField.hidden = !(http && amount.value === '503');
    locationField.hidden = !(http && amount.value === '451');
  };
  action.addEventListener('change', syncAction);
  amount.addEventListener('input', syncAction);

  const form = h('form', { class: 'form fault-form', id: 'fault-form', novalidate: true },
    h('fieldset', null, h('legend', null, 'Which requests (empty: any)'),
      h('div', { class: 'grid' },
        field('fault-user', 'User', user), field('fault-device-id', 'Device ID', deviceId),
        field('fault-device-type', 'Device type', deviceType), field('fault-command', 'Command', command),
        field('fault-version', 'Protocol version', version))),
    commands,
    h('fieldset', null, h('legend', null, 'What happens'),
      h('div', { class: 'grid' },
        field('fault-action', 'Action', action), amountField, retryField, locationField,
        field('fault-probability', 'Probability (0–1)', probability), field('fault-count', 'Hits before it stops', count))),
    h('div', { class: 'actions' }, addBtn), formMessage);

  replace(container,
    pageHeader('Fault injection', 'Rules that make the ActiveSync endpoint fail on purpose. They are tried in order; the first that matches applies.',
      refreshBtn, removeAllBtn),
    area,
    h('section', { class: 'card', 'aria-labelledby': 'fault-add-title' }, h('h2', { id: 'fault-add-title' }, 'Add a fault'), form));
  syncAction();

  const remove = async (id) => {
    try {
      await ctx.api.del('/api/v1/faults/' + enc(id));
      ctx.announce('Fault ' + id + ' removed.');
      await load();
    } catch (e) {
      ctx.announce(e.message, 'error');
    }
  };

  const load = async () => {
    let faults;
    try {
      const r = await ctx.api.get('/api/v1/faults');
      faults = (r && r.faults) || [];
    } catch (e) {
      if (e.status !== 401) replace(area, errorBox(e));
      return;
    }
    removeAllBtn.disabled = faults.length === 0;
    if (!faults.length) {
      replace(area, h('p', { class: 'empty' }, 'No fault rules: every request is answered normally.'));
      return;
    }
    const rows = faults.map((f) => h('tr', { 'data-fault': f.id, class: f.exhausted ? 'row-muted' : null },
      h('th', { scope: 'row' }, f.id),
      h('td', null, describeMatch(f.match)),
      h('td', null, h('code', null, describeAction(f.action))),
      h('td', { class: 'num' }, String(f.probability)),
      h('td', { class: 'num' }, f.count === null || f.count === undefined ? 'unlimited' : String(f.count)),
      h('td', { class: 'num hits' }, String(f.hits)),
      h('td', null, f.exhausted ? badge('Exhausted', null) : badge('Active', 'ok')),
      h('td', null, f.source || ''),
      h('td', null, h('button', { type: 'button', class: 'btn small', 'aria-label': 'Remove fault ' + f.id, onclick: () => remove(f.id) }, 'Remove'))));
    const t = table('Fault rules', [
      { label: 'ID' }, { label: 'Match' }, { label: 'Action' }, { label: 'Probability', class: 'num' }, { label: 'Count', class: 'num' },
      { label: 'Hits', class: 'num' }, { label: 'State' }, { label: 'Source' }, { label: 'Actions' },
    ], rows, { class: 'faults', captionClass: 'visually-hidden' });
    replace(area, t.wrap);
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const a = ACTIONS.find((x) => x.value === action.value);
    const match = {};
    for (const [key, el] of [['user', user], ['device_id', deviceId], ['device_type', deviceType], ['command', command], ['protocol_version', version]]) {
      if (el.value.trim()) match[key] = el.value.trim();
    }
    const act = {};
    if (a.number) {
      const n = Number(amount.value);
      if (!Number.isInteger(n)) {
        formMessage.textContent = a.number.label + ' must be a whole number.';
        amount.focus();
        return;
      }
      act[a.value] = n;
      if (a.value === 'http_status' && n === 503 && retryAfter.value) act.retry_after = Number(retryAfter.value);
      if (a.value === 'http_status' && n === 451 && locationInput.value.trim()) act.location = locationInput.value.trim();
    } else {
      act[a.value] = true;
    }
    const rule = { action: act };
    if (Object.keys(match).length) rule.match = match;
    if (probability.value !== '' && Number(probability.value) !== 1) rule.probability = Number(probability.value);
    if (count.value !== '') rule.count = Number(count.value);
    addBtn.disabled = true;
    try {
      const r = await ctx.api.post('/api/v1/faults', { json: rule });
      formMessage.textContent = 'Added fault ' + r.id + ': ' + describeAction(r.action) + ' for ' + describeMatch(r.match) + '.';
      ctx.announce('Fault ' + r.id + ' added.');
      await load();
    } catch (e) {
      formMessage.textContent = e.message;
    } finally {
      addBtn.disabled = false;
    }
  });

  refreshBtn.addEventListener('click', () => load().then(() => ctx.announce('Fault rules refreshed.')));
  removeAllBtn.addEventListener('click', async () => {
    if (!(await confirmDialog('Remove every fault rule?', 'All rules go, the lab file\'s too (until the next start or reset).', 'Remove all'))) return;
    try {
      const r = await ctx.api.del('/api/v1/faults');
      ctx.announce('Removed ' + r.removed + ' fault rules.');
      await load();
    } catch (e) {
      ctx.announce(e.message, 'error');
    }
  });

  await load();
  // Hit counts change with traffic: reload when requests arrive.
  const later = debounce(load, 500);
  const unsubscribe = ctx.events.subscribe(later);
  const unsubscribeReopen = ctx.events.subscribe(later, 'reopen');
  return () => {
    unsubscribe();
    unsubscribeReopen();
    later.cancel();
  };
}
