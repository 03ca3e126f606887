// Shared by every dashboard page: the session, calls to /ui/api, DOM helpers, formatting,
// the traffic bar, status pills, confirmation dialogs and toasts. Text from the server is only
// ever put in the page as text (textContent), never as HTML.

let session = null;

/** An element with attributes (on* are listeners) and children (strings become text). */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'style') Object.assign(e.style, v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  return add(e, ...children);
}

/** Appends children (nested arrays are flattened; null, undefined and false are left out). */
export function add(parent, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

/** Replaces an element's children. */
export function fill(target, ...children) {
  const e = typeof target === 'string' ? document.getElementById(target) : target;
  e.replaceChildren();
  return add(e, ...children);
}

/** The logged-in session: {name, role, csrf, operate, admin}. */
export function currentSession() {
  return session;
}

/** Calls the dashboard's JSON API; a 401 goes to the login page. Throws with the server's message. */
export async function api(path, { method = 'GET', body } = {}, retried = false) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (session) headers['X-CSRF-Token'] = session.csrf;
  }
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    toLogin();
    throw new Error('not logged in');
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (res.status === 403 && !retried && method !== 'GET' && json && /X-CSRF-Token/.test(json.error || '')) {
    // The daemon restarted since this page loaded: its CSRF key is new. Ask for the token again.
    session = await api('/ui/api/session');
    return api(path, { method, body }, true);
  }
  if (!res.ok) {
    const err = new Error((json && json.error) || `${res.status} ${res.statusText}`);
    err.status = res.status;
    err.body = json;
    throw err;
  }
  return json;
}

export function toLogin() {
  const next = location.pathname + location.search;
  location.href = '/ui/login?next=' + encodeURIComponent(next);
}

/** Loads the session and draws the header; every page calls it first. */
export async function start(active) {
  session = await api('/ui/api/session');
  const nav = el('nav', { 'aria-label': 'Main' },
    el('a', { href: '/', 'aria-current': active === 'apps' ? 'page' : null }, 'Apps'),
    el('a', { href: '/ui/flags', 'aria-current': active === 'flags' ? 'page' : null }, 'Flags'));
  const logout = el('button', { id: 'logout', type: 'button', onclick: logoutNow }, 'Log out');
  fill('top',
    el('a', { class: 'brand', href: '/' }, el('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Sluice'),
    nav,
    el('div', { class: 'who' },
      el('span', { id: 'who', class: 'small' }, session.name),
      el('span', { id: 'role', class: 'role' }, session.role),
      logout));
  return session;
}

async function logoutNow() {
  try {
    await api('/ui/logout', { method: 'POST', body: {} });
  } finally {
    location.href = '/ui/login';
  }
}

// Formatting.

export function pct(share, digits = 1) {
  if (share === null || share === undefined) return '–';
  return (share * 100).toFixed(digits).replace(/\.0+$/, '') + ' %';
}

export function ms(v) {
  if (v === null || v === undefined) return '–';
  return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v >= 10 ? v.toFixed(0) + ' ms' : v.toFixed(1) + ' ms';
}

export function rps(v) {
  if (v === null || v === undefined) return '–';
  return (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + '/s';
}

export function clock(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function dateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString([], { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function ago(iso) {
  if (!iso) return 'never';
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return Math.round(s) + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

// Versions keep one colour on a page: stable blue, canary orange, others after.

const colours = new Map();
const others = ['--c-other1', '--c-other2', '--c-other3'];

export function colourOf(version, role) {
  if (!colours.has(version)) {
    let v;
    if (role === 'stable' && ![...colours.values()].includes('--c-stable')) v = '--c-stable';
    else if (role === 'canary' && ![...colours.values()].includes('--c-canary')) v = '--c-canary';
    else v = others[(colours.size) % others.length];
    colours.set(version, v);
  }
  return cssVar(colours.get(version));
}

export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** A status pill: a colour and its words. */
export function pill(health) {
  return el('span', { class: `pill c-${health.colour}`, dataset: { colour: health.colour } }, health.label);
}

/** The traffic split as a bar of segments (data-version, data-weight) with a legend. */
export function trafficBar(status, { small = false } = {}) {
  const versions = status.versions || [];
  const weights = status.weights || {};
  const roles = Object.fromEntries(versions.map((v) => [v.version, v.role]));
  const names = Object.keys(weights).sort();
  const label = names.map((n) => `${n} ${weights[n]} %`).join(', ') || 'no traffic routed';
  const bar = el('div', { class: 'bar' + (small ? ' small' : ''), role: 'img', 'aria-label': 'traffic: ' + label });
  for (const n of names) {
    const w = weights[n];
    if (w <= 0) continue;
    bar.append(el('div', {
      class: 'seg',
      dataset: { version: n, weight: String(w) },
      style: { width: w + '%', background: colourOf(n, roles[n]) },
      title: `${n}: ${w} %`,
    }, w >= 12 ? `${n} ${w} %` : ''));
  }
  const legend = el('div', { class: 'legend' },
    names.map((n) => el('span', {}, el('span', { class: 'swatch', style: { background: colourOf(n, roles[n]) } }),
      `${n} ${weights[n]} %`, roles[n] ? el('span', { class: 'muted small' }, ` (${roles[n]})`) : null)));
  return el('div', { class: 'traffic', dataset: { weights: JSON.stringify(weights) } }, bar, small ? null : legend);
}

/** Asks before a change; resolves true when confirmed. */
export function confirmDialog({ title, text, confirm, danger = false }) {
  return new Promise((resolve) => {
    const dialog = el('dialog', { id: 'confirm', 'aria-labelledby': 'confirm-title' });
    const done = (ok) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    dialog.append(
      el('h2', { id: 'confirm-title' }, title),
      el('p', {}, text),
      el('div', { class: 'buttons' },
        el('button', { id: 'confirm-cancel', type: 'button', onclick: () => done(false) }, 'Cancel'),
        el('button', { id: 'confirm-ok', type: 'button', class: danger ? 'danger' : 'primary', onclick: () => done(true) }, confirm)));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('#confirm-cancel').focus();
  });
}

/** A short message at the bottom of the page. */
export function toast(message, bad = false) {
  let box = document.querySelector('.toasts');
  if (!box) {
    box = el('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const t = el('div', { class: 'toast' + (bad ? ' bad' : '') }, message);
  box.append(t);
  setTimeout(() => t.remove(), bad ? 9000 : 4000);
}

/** Shows that a live stream is connected (or not). */
export function liveState(connected) {
  const e = document.getElementById('live');
  if (!e) return;
  e.textContent = connected ? '● live' : 'reconnecting…';
  e.dataset.connected = String(connected);
}
