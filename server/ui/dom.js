// DOM helpers. Everything the dashboard shows comes from devices, phones and mailboxes, so it is
// untrusted: text goes in through text nodes only, never through innerHTML.

// h('a', {href: '#/x', class: 'btn', onclick: fn}, 'text', childNode, [more children])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') {
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      } else if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else if (key === 'text') {
        el.textContent = String(value);
      } else if (key === 'value' && 'value' in el) {
        el.value = String(value);
      } else if (key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden') {
        el[key] = Boolean(value);
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) {
      append(parent, c);
    } else if (c instanceof Node) {
      parent.appendChild(c);
    } else {
      parent.appendChild(document.createTextNode(String(c)));
    }
  }
  return parent;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

// A table with column headers (<th scope="col">) inside a horizontally scrolling wrapper.
export function table(caption, columns, rows, opts = {}) {
  const head = h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)));
  const body = h('tbody', null, rows);
  const t = h('table', { class: ['data', opts.class] }, caption ? h('caption', { class: opts.captionClass }, caption) : null,
    h('thead', null, head), body);
  return { wrap: h('div', { class: 'table-wrap' }, t), table: t, body };
}

// Times: the API sends ISO 8601 UTC; people read local time.
export function formatTime(iso, withDate = true) {
  if (!iso) return 'never';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const time = p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  if (!withDate) return time + '.' + p(d.getMilliseconds(), 3);
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + time;
}

export const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

export function timeEl(iso, withDate = true) {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  return h('time', { datetime: iso, title: iso }, formatTime(iso, withDate));
}

export function debounce(fn, ms) {
  let timer = 0;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

// A modal dialog (<dialog>, Esc closes it, focus stays inside) that resolves to true or false.
export function confirmDialog(title, message, confirmLabel, danger = true) {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', value: 'ok', class: danger ? 'btn danger' : 'btn primary' }, confirmLabel);
    const cancel = h('button', { type: 'submit', value: 'cancel', class: 'btn' }, 'Cancel');
    const heading = h('h2', { id: 'confirm-title' }, title);
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      h('form', { method: 'dialog' }, heading, h('p', null, message), h('div', { class: 'actions' }, cancel, ok)));
    dlg.addEventListener('close', () => {
      resolve(dlg.returnValue === 'ok');
      dlg.remove();
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    cancel.focus();
  });
}

// PowerShell string literals for cmdlet text built from untrusted values. Single quotes take
// everything literally except the quote itself, which is doubled (the shell also treats the
// typographic single quotes as quotes).
export function psSingle(s) {
  return "'" + String(s).replace(/['\u2018\u2019\u201A\u201B]/g, (m) => m + m) + "'";
}

// Double quotes, as Exchange's documentation writes names: backtick-escape ` " $ and typographic quotes.
export function psDouble(s) {
  return '"' + String(s).replace(/[`"$\u201C\u201D\u201E]/g, (m) => '`' + m) + '"';
}

// XML shown with light colouring: the text is split into spans, each filled with textContent.
export function xmlView(xml, label) {
  const code = h('code', null);
  const text = String(xml || '');
  if (!text) {
    code.appendChild(h('span', { class: 'muted' }, '(no body)'));
  } else {
    const re = /(<!--[\s\S]*?-->|<[^>]*>)/g;
    let last = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m.index > last) code.appendChild(h('span', { class: 'xml-text' }, text.slice(last, m.index)));
      code.appendChild(h('span', { class: m[0].startsWith('<!--') ? 'xml-comment' : 'xml-tag' }, m[0]));
      last = m.index + m[0].length;
    }
    if (last < text.length) code.appendChild(h('span', { class: 'xml-text' }, text.slice(last)));
  }
  return h('pre', { class: 'xml', tabindex: '0', 'aria-label': label }, code);
}
