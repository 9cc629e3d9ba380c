// Mailboxes: the lab mailboxes, one mailbox's folders and messages, and a form that delivers a
// message into it (phones waiting in Ping or Sync hear of it at once).

import { h, replace, table, timeEl } from './dom.js';
import { enc } from './api.js';
import { pageHeader, errorBox, listText, badge } from './common.js';

export const title = 'Mailboxes';

let lastFrom = '';

function mailboxHash(address, folder) {
  return '#/mailboxes/' + enc(address) + (folder ? '?folder=' + enc(folder) : '');
}

function devicesText(v) {
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.length ? String(v.length) + ' (' + listText(v.map((d) => (d && d.device_id) || d)) + ')' : '0';
  return v === undefined || v === null ? '—' : String(v);
}

function formatSize(n) {
  if (n === undefined || n === null) return '';
  const v = Number(n);
  if (v < 1024) return v + ' B';
  if (v < 1024 * 1024) return (v / 1024).toFixed(1) + ' KB';
  return (v / 1024 / 1024).toFixed(1) + ' MB';
}

// Folders as a tree: parents first, children indented (up to a few levels, by class).
function orderFolders(folders) {
  const byParent = new Map();
  for (const f of folders) {
    const p = f.parent_id === undefined || f.parent_id === null ? '0' : String(f.parent_id);
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p).push(f);
  }
  const ids = new Set(folders.map((f) => String(f.id)));
  const out = [];
  const walk = (parent, depth) => {
    for (const f of byParent.get(parent) || []) {
      out.push({ folder: f, depth });
      walk(String(f.id), depth + 1);
    }
  };
  for (const [parent] of byParent) if (!ids.has(parent)) walk(parent, 0);
  return out;
}

export async function render(container, route, ctx) {
  const selected = route.parts[0] || '';
  const listArea = h('div');
  const detail = h('div', { class: 'mailbox-detail' });
  replace(container,
    pageHeader('Mailboxes', 'The lab mailboxes and what is in them. Deliver a message to see a phone pick it up.'),
    listArea, detail);

  let mailboxes = [];
  try {
    const r = await ctx.api.get('/api/v1/mailboxes');
    mailboxes = (r && r.mailboxes) || [];
  } catch (e) {
    if (e.status !== 401) replace(listArea, errorBox(e));
    return undefined;
  }
  const rows = mailboxes.map((m) => h('tr', { class: String(m.address).toLowerCase() === selected.toLowerCase() ? 'selected' : null },
    h('th', { scope: 'row' }, h('a', {
      href: mailboxHash(m.address),
      'aria-current': String(m.address).toLowerCase() === selected.toLowerCase() ? 'true' : null,
    }, m.address)),
    h('td', null, m.display_name || ''),
    h('td', null, m.policy || h('span', { class: 'muted' }, 'Default')),
    h('td', null, devicesText(m.devices))));
  replace(listArea, table('Lab mailboxes', [{ label: 'Address' }, { label: 'Display name' }, { label: 'Policy' }, { label: 'Devices' }],
    rows, { class: 'mailboxes compact', captionClass: 'visually-hidden' }).wrap);

  if (!selected) {
    if (mailboxes.length) detail.appendChild(h('p', { class: 'muted' }, 'Choose a mailbox to see its folders and messages.'));
    return undefined;
  }
  const mailbox = mailboxes.find((m) => String(m.address).toLowerCase() === selected.toLowerCase());
  const address = mailbox ? mailbox.address : selected;

  let folders = [];
  try {
    const r = await ctx.api.get('/api/v1/mailboxes/' + enc(address) + '/folders');
    folders = (r && r.folders) || [];
  } catch (e) {
    if (e.status !== 401) replace(detail, errorBox(e));
    return undefined;
  }
  const inbox = folders.find((f) => Number(f.type) === 2) || folders.find((f) => f.name === 'Inbox') || folders[0];
  const folderId = route.query.get('folder') || (inbox ? String(inbox.id) : '');
  const folder = folders.find((f) => String(f.id) === folderId);

  const folderNav = h('nav', { class: 'folders', 'aria-label': 'Folders of ' + address },
    h('ul', null, orderFolders(folders).map(({ folder: f, depth }) => h('li', { class: 'depth-' + Math.min(depth, 5) },
      h('a', { href: mailboxHash(address, String(f.id)), 'aria-current': String(f.id) === folderId ? 'page' : null },
        h('span', { class: 'folder-name' }, f.name),
        f.count !== undefined ? h('span', { class: 'folder-count', 'aria-label': f.count + ' items' }, String(f.count)) : null)))));

  const messagesArea = h('div', { class: 'messages-area' });
  const loadMessages = async () => {
    if (!folderId) {
      replace(messagesArea, h('p', { class: 'muted' }, 'This mailbox has no folders.'));
      return;
    }
    try {
      const r = await ctx.api.get('/api/v1/mailboxes/' + enc(address) + '/messages?folder=' + enc(folderId) + '&limit=100');
      const messages = (r && r.messages) || [];
      if (!messages.length) {
        replace(messagesArea, h('p', { class: 'empty' }, 'No messages in this folder.'));
        return;
      }
      replace(messagesArea, table('Messages in ' + (folder ? folder.name : folderId), [
        { label: 'From' }, { label: 'Subject' }, { label: 'Received' }, { label: 'Size', class: 'num' }, { label: 'State' },
      ], messages.map((m) => h('tr', { class: m.read ? null : 'unread', 'data-item': m.item_id },
        h('td', null, m.from || ''),
        h('th', { scope: 'row', class: 'subject' }, m.subject || h('span', { class: 'muted' }, '(no subject)'),
          m.to && String(m.to).toLowerCase() !== address.toLowerCase() ? h('span', { class: 'muted small block' }, 'To: ' + m.to) : null),
        h('td', null, timeEl(m.date)),
        h('td', { class: 'num' }, formatSize(m.size)),
        h('td', null, m.read ? badge('Read', null) : badge('Unread', 'info'), m.has_attachments ? [' ', badge('Attachment', null)] : null))),
      { class: 'messages', captionClass: 'visually-hidden' }).wrap);
    } catch (e) {
      if (e.status !== 401) replace(messagesArea, errorBox(e));
    }
  };

  // The injection form.
  const from = h('input', { id: 'inject-from', type: 'text', autocomplete: 'off', placeholder: 'default: the lab postmaster', value: lastFrom });
  const to = h('input', { id: 'inject-to', type: 'text', autocomplete: 'off', value: address });
  const subject = h('input', { id: 'inject-subject', type: 'text', autocomplete: 'off', required: true });
  const text = h('textarea', { id: 'inject-text', rows: '4' });
  const folderSelect = h('select', { id: 'inject-folder' }, folders.map((f) => h('option', { value: f.name, selected: String(f.id) === folderId }, f.name)));
  const message = h('p', { class: 'form-message', 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'btn primary' }, 'Deliver message');
  const form = h('form', { class: 'form inject', id: 'inject-form' },
    h('div', { class: 'grid' },
      h('div', { class: 'field' }, h('label', { for: 'inject-from' }, 'From'), from),
      h('div', { class: 'field' }, h('label', { for: 'inject-to' }, 'To'), to),
      h('div', { class: 'field' }, h('label', { for: 'inject-subject' }, 'Subject'), subject),
      h('div', { class: 'field' }, h('label', { for: 'inject-folder' }, 'Folder'), folderSelect)),
    h('div', { class: 'field' }, h('label', { for: 'inject-text' }, 'Text'), text),
    h('div', { class: 'actions' }, send), message);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!subject.value.trim() && !text.value.trim()) {
      message.textContent = 'Give the message a subject or some text.';
      subject.focus();
      return;
    }
    const body = { subject: subject.value, text: text.value, folder: folderSelect.value };
    if (from.value.trim()) body.from = from.value.trim();
    if (to.value.trim()) body.to = to.value.trim();
    send.disabled = true;
    try {
      const r = await ctx.api.post('/api/v1/mailboxes/' + enc(address) + '/messages', { json: body });
      lastFrom = from.value;
      ctx.announce('Message delivered to ' + address + ' (item ' + r.item_id + ').');
      // Show the folder it went to, with fresh counts.
      ctx.navigate(mailboxHash(address, String(r.folder_id)));
    } catch (e) {
      message.textContent = e.message;
    } finally {
      send.disabled = false;
    }
  });

  const refresh = h('button', { type: 'button', class: 'btn', onclick: () => loadMessages().then(() => ctx.announce('Messages refreshed.')) }, 'Refresh');
  replace(detail,
    h('h2', { class: 'mailbox-title' }, (mailbox && mailbox.display_name ? mailbox.display_name + ' · ' : '') + address),
    h('div', { class: 'mail-layout' },
      h('section', { class: 'card folder-card', 'aria-labelledby': 'folders-title' }, h('h3', { id: 'folders-title' }, 'Folders'), folderNav),
      h('section', { class: 'card', 'aria-labelledby': 'messages-title' },
        h('div', { class: 'card-head' }, h('h3', { id: 'messages-title' }, folder ? folder.name : 'Messages'), refresh),
        messagesArea)),
    h('section', { class: 'card', 'aria-labelledby': 'inject-title' }, h('h3', { id: 'inject-title' }, 'Deliver a message'), form));
  await loadMessages();
  return undefined;
}
