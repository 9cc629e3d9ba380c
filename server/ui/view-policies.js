// Policies: every mobile device mailbox policy, its settings, the mailboxes that use it and what
// each built-in device profile does with it; changes go through Exchange Management Shell text.

import { h, replace, table, psDouble } from './dom.js';
import { runExchange } from './api.js';
import { badge, pageHeader, errorBox, valueText, exchangeResults, listText } from './common.js';

export const title = 'Policies';

let editorText = '';

function slug(name) {
  return 'policy-' + String(name).toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function compatibilityTable(policy) {
  const list = policy.compatibility || [];
  if (!list.length) return h('p', { class: 'muted' }, 'No compatibility data.');
  return table('Built-in device profiles', [
    { label: 'Profile' }, { label: 'Result' }, { label: 'Settings it cannot enforce' }, { label: 'What the phone shows' },
  ], list.map((c) => {
    const ok = c.result === 'syncs';
    return h('tr', { class: ok ? 'row-ok' : 'row-prov-fail', 'data-profile': c.profile },
      h('th', { scope: 'row' }, c.display_name || c.profile, c.display_name ? h('span', { class: 'muted small block' }, c.profile) : null),
      h('td', null, h('span', { class: ['mark', ok ? 'mark-ok' : 'mark-prov-fail'] }, ok ? (c.partial ? 'Syncs, partially' : 'Syncs') : c.result === 'refused' ? 'Refused' : String(c.result)),
        c.protocol_version ? h('span', { class: 'muted small block' }, 'EAS ' + c.protocol_version) : null),
      h('td', null, (c.unsupported || []).length ? h('ul', { class: 'plain' }, c.unsupported.map((s) => h('li', null, h('code', null, s)))) : h('span', { class: 'muted' }, 'none')),
      h('td', { class: 'small phone-screen' }, c.message || ''));
  }), { class: 'compat compact', captionClass: 'visually-hidden' }).wrap;
}

function settingsTable(policy) {
  const entries = Object.entries(policy.settings || {});
  return h('details', { class: 'settings' },
    h('summary', null, 'Settings (' + entries.length + ')'),
    table(null, [{ label: 'Setting' }, { label: 'Value' }],
      entries.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, h('code', null, k)), h('td', null, valueText(v)))),
      { class: 'compact settings-table' }).wrap);
}

export async function render(container, route, ctx) {
  const textarea = h('textarea', { id: 'policy-cmdlets', rows: '4', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', class: 'mono' });
  const runBtn = h('button', { type: 'submit', class: 'btn primary' }, 'Run');
  const results = h('div', { class: 'results-area', 'aria-live': 'polite' });
  const list = h('div', { class: 'policy-list' });
  const form = h('form', { class: 'form editor', id: 'policy-editor' },
    h('div', { class: 'field' },
      h('label', { for: 'policy-cmdlets' }, 'Exchange Management Shell'),
      h('p', { class: 'hint', id: 'policy-cmdlets-hint' }, 'One cmdlet per line (New-, Set-, Remove-MobileDeviceMailboxPolicy, Set-CASMailbox -ActiveSyncMailboxPolicy, …). Each line\'s result is shown below.'),
      textarea),
    h('div', { class: 'actions' }, runBtn),
    results);
  textarea.setAttribute('aria-describedby', 'policy-cmdlets-hint');

  replace(container,
    pageHeader('Mobile device mailbox policies', 'Each policy, the mailboxes it applies to, and whether each built-in phone profile syncs with it.'),
    h('section', { class: 'card', 'aria-label': 'Edit policies' }, form),
    list);

  let policies = [];

  const prefill = (name) => {
    textarea.value = 'Set-MobileDeviceMailboxPolicy -Identity ' + psDouble(name) + ' -AllowNonProvisionableDevices $true';
    editorText = textarea.value;
    textarea.focus();
    textarea.scrollIntoView({ block: 'center' });
  };

  const draw = () => {
    if (!policies.length) {
      replace(list, h('p', { class: 'empty' }, 'No policies.'));
      return;
    }
    replace(list, policies.map((p) => {
      const id = slug(p.name);
      const mailboxes = p.mailboxes || [];
      return h('section', { class: 'card policy', id, 'aria-labelledby': id + '-title', 'data-policy': p.name },
        h('div', { class: 'card-head' },
          h('h2', { id: id + '-title' }, p.name, p.is_default ? badge('Default', 'info') : null),
          h('button', { type: 'button', class: 'btn', onclick: () => prefill(p.name) }, 'Edit ' + p.name)),
        h('p', null, h('strong', null, 'Mailboxes: '), mailboxes.length ? listText(mailboxes)
          : h('span', { class: 'muted' }, p.is_default ? 'none assigned explicitly (mailboxes without a policy use the default)' : 'none')),
        compatibilityTable(p),
        settingsTable(p));
    }));
  };

  const load = async () => {
    try {
      const r = await ctx.api.get('/api/v1/policies');
      policies = (r && r.policies) || [];
      draw();
    } catch (e) {
      if (e.status !== 401) replace(list, errorBox(e));
    }
  };

  await load();
  if (editorText) textarea.value = editorText;
  else if (policies.length) {
    const p = policies.find((x) => !x.is_default) || policies[0];
    textarea.value = 'Set-MobileDeviceMailboxPolicy -Identity ' + psDouble(p.name) + ' -AllowNonProvisionableDevices $true';
  }
  textarea.addEventListener('input', () => {
    editorText = textarea.value;
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = textarea.value;
    if (!text.trim()) return;
    runBtn.disabled = true;
    try {
      const r = await runExchange(text);
      const failed = r.results.filter((x) => !x.ok).length;
      replace(results, h('p', null, failed ? failed + ' of ' + r.results.length + ' statements failed.' : 'Done: ' + r.results.length +
        (r.results.length === 1 ? ' statement.' : ' statements.')), exchangeResults(r.results));
      ctx.announce(failed ? failed + ' statement(s) failed.' : 'Policies updated.', failed ? 'error' : 'info');
      await load();
    } catch (e) {
      replace(results, errorBox(e));
    } finally {
      runBtn.disabled = false;
    }
  });
  return undefined;
}
