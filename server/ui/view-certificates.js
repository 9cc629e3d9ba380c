// Certificates: the HTTPS certificate mode (the lab CA's certificate or a certificate fault) with
// a switch, and the lab CA downloads phones install.

import { h, replace } from './dom.js';
import { pageHeader, errorBox, badge } from './common.js';

export const title = 'Certificates';

const MODES = {
  'lab-ca': 'A server certificate issued by the lab CA (phones that trust the CA connect).',
  'self-signed': 'A self-signed server certificate, as a fresh Exchange install has.',
  expired: 'Issued by the lab CA, validity ended.',
  'not-yet-valid': 'Issued by the lab CA, validity starts in 30 days.',
  'wrong-host': 'Issued by the lab CA for wrong-host.invalid only.',
  'untrusted-ca': 'The leaf alone, issued by a CA that is not the published one.',
  'incomplete-chain': 'The leaf alone, issued through a lab intermediate that is not sent.',
  provided: 'Your own chain and key (--tls-cert, --tls-key).',
};

const DOWNLOADS = [
  ['/certsrv/', 'The download page for phones', 'Open it on the phone: it explains how to install the CA on each platform.'],
  ['/certsrv/ca.cer', 'CA certificate (DER, .cer)', 'Windows Phone, Android and Windows.'],
  ['/certsrv/ca.pem', 'CA certificate (PEM)', 'curl --cacert, easemu device --ca, Linux.'],
  ['/certsrv/easemu-ca.mobileconfig', 'iPhone and iPad profile (.mobileconfig)', 'Then turn on full trust in Certificate Trust Settings.'],
  ['/certsrv/ca-chain.p7b', 'CA certificate chain (PKCS#7, .p7b)', ''],
  ['/certsrv/ca.crl', 'Certificate revocation list (.crl)', ''],
];

export async function render(container, route, ctx) {
  const current = h('p', { class: 'current-mode', 'aria-live': 'polite' });
  const form = h('form', { class: 'form', id: 'tls-form' });
  const message = h('p', { class: 'form-message', 'aria-live': 'polite' });

  replace(container,
    pageHeader('Certificates', 'What the HTTPS listener presents to phones, and the lab CA they need to trust it.'),
    h('div', { class: 'columns' },
      h('section', { class: 'card', 'aria-labelledby': 'tls-title' },
        h('h2', { id: 'tls-title' }, 'HTTPS certificate mode'), current, form, message),
      h('section', { class: 'card', 'aria-labelledby': 'ca-title' },
        h('h2', { id: 'ca-title' }, 'Lab CA downloads'),
        h('ul', { class: 'downloads' }, DOWNLOADS.map(([href, label, note]) => h('li', null,
          h('a', { href, class: 'download', target: href.endsWith('/') ? '_blank' : null, rel: 'noopener' }, label),
          note ? h('span', { class: 'muted small block' }, note) : null))))));

  const draw = (tls) => {
    replace(current, 'Current mode: ', h('strong', { id: 'tls-current' }, tls.mode), ' ',
      tls.mode === 'lab-ca' ? badge('normal', 'ok') : badge('certificate fault', 'warn'));
    const modes = tls.modes && tls.modes.length ? tls.modes : Object.keys(MODES);
    const fieldset = h('fieldset', null, h('legend', null, 'Switch to'),
      modes.map((m) => {
        const id = 'tls-mode-' + m.replace(/[^a-z0-9-]/gi, '');
        return h('div', { class: 'radio' },
          h('input', { type: 'radio', name: 'mode', id, value: m, checked: m === tls.mode }),
          h('label', { for: id }, h('code', null, m), MODES[m] ? h('span', { class: 'muted small block' }, MODES[m]) : null));
      }));
    replace(form, fieldset, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Switch certificate')),
      h('p', { class: 'hint' }, 'New HTTPS connections get the new certificate; open ones keep theirs.'));
  };

  const load = async () => {
    try {
      draw(await ctx.api.get('/api/v1/tls'));
    } catch (e) {
      if (e.status !== 401) replace(current, errorBox(e));
    }
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const chosen = form.querySelector('input[name="mode"]:checked');
    if (!chosen) return;
    try {
      const r = await ctx.api.put('/api/v1/tls', { json: { mode: chosen.value } });
      message.textContent = 'The HTTPS listener now presents: ' + r.mode + '.';
      ctx.announce('TLS mode: ' + r.mode + '.');
      await load();
    } catch (e) {
      message.textContent = e.message;
    }
  });

  await load();
  return undefined;
}
