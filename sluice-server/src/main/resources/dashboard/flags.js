// The flags page: every flag with its state, variants, rollout, owner, expiry and stale marks;
// an editor for one flag (state, default variant, rollout weights, targeting JSON checked before
// saving), an evaluate box that says which variant a context gets and why, and the flag's audit
// history. Viewers see the same facts without the controls that change anything.
import { start, api, el, add, fill, dateTime, ago, toast, currentSession } from './common.js';

let list = null; // GET /ui/api/flags
let flag = null; // GET /ui/api/flags/{key}
let env = ''; // '' is the flag's own definition; otherwise an environment's override
let lastContext = null; // the evaluate box's last context, re-run after every change
let checkTimer = null;

function params() {
  return new URLSearchParams(location.search);
}

function rolloutText(r) {
  if (!r) return null;
  return r.map((b) => `${b.variant} ${fmtPercent(b.percent)}`).join(' · ');
}

function fmtPercent(p) {
  return (Math.round(p * 10) / 10).toString() + ' %';
}

function rolloutBar(r) {
  if (!r) return null;
  const palette = ['--c-canary', '--c-stable', '--c-other1', '--c-other2', '--c-other3'];
  return el('div', { class: 'bar small', role: 'img', 'aria-label': 'rollout: ' + rolloutText(r) },
    r.filter((b) => b.percent > 0).map((b, i) => el('div', {
      class: 'seg',
      style: { width: b.percent + '%', background: `var(${palette[i % palette.length]})` },
      title: `${b.variant}: ${fmtPercent(b.percent)}`,
    })));
}

function stateBadge(state) {
  return el('span', { class: 'badge ' + (state === 'ENABLED' ? 'on' : 'off') }, state === 'ENABLED' ? 'enabled' : 'disabled');
}

function marks(f) {
  const out = f.stale.map((s) => el('span', { class: 'badge warn', title: s.detail }, s.kind));
  for (const [name, e] of Object.entries(f.environments || {})) {
    if (e.state !== f.state) out.push(el('span', { class: 'badge', title: `${name}: ${e.state}` }, `${name}: ${e.state.toLowerCase()}`));
  }
  return out.length ? out : [el('span', { class: 'muted' }, '–')];
}

function renderList() {
  const file = list.file;
  fill('setinfo', `flag set version ${list.version}, changed ${ago(list.updatedAt)}`,
    file ? ` · file ${file.path}` + (file.error ? ` (NOT LOADED: ${file.error})` : '') : '');
  const selected = params().get('flag');
  const rows = list.flags.map((f) => el('tr', {
    class: 'clickable',
    tabindex: '0',
    'aria-selected': f.key === selected ? 'true' : 'false',
    dataset: { key: f.key },
    onclick: () => open(f.key),
    onkeydown: (e) => {
      if (e.key === 'Enter') open(f.key);
    },
  },
  el('td', {}, el('strong', { class: 'mono' }, f.key), el('div', { class: 'muted small' }, f.type)),
  el('td', {}, stateBadge(f.state)),
  el('td', { class: 'mono' }, f.defaultVariant ?? '–'),
  el('td', { class: 'mono small' }, Object.keys(f.variants).join(', ')),
  el('td', { class: 'small' }, f.rollout ? [rolloutText(f.rollout), rolloutBar(f.rollout)] : f.rollouts > 1 ? `${f.rollouts} rollouts` : '–'),
  el('td', {}, f.owner ?? el('span', { class: 'muted' }, '–')),
  el('td', {}, f.expires ?? el('span', { class: 'muted' }, '–')),
  el('td', {}, marks(f))));
  fill(document.querySelector('#flags tbody'), rows.length ? rows
    : el('tr', {}, el('td', { colspan: '8', class: 'muted' }, 'No flags yet. Import a flag file with `sluice flags import FILE`.')));
}

async function loadList() {
  list = await api('/ui/api/flags');
  renderList();
}

async function open(key) {
  const p = params();
  p.set('flag', key);
  history.replaceState(null, '', '?' + p.toString());
  if (flag && flag.key !== key) {
    env = '';
    lastContext = null;
  }
  await loadFlag(key);
  renderList();
  document.getElementById('editor').scrollIntoView({ block: 'nearest' });
}

async function loadFlag(key) {
  flag = await api('/ui/api/flags/' + encodeURIComponent(key));
  renderEditor();
  if (lastContext) evaluate(lastContext);
}

function config() {
  return env && flag.environments[env] ? flag.environments[env] : flag;
}

async function change(path, body, done) {
  try {
    const r = await api(`/ui/api/flags/${encodeURIComponent(flag.key)}/${path}`, {
      method: 'POST',
      body: { ...body, environment: env || null, ifVersion: flag.setVersion },
    });
    toast(r.changed ? `${done} (flag set version ${r.version})` : 'Nothing to change: it already was so.');
  } catch (e) {
    if (e.status === 409) toast('The flags changed since this page loaded them; reloaded. ' + e.message, true);
    else toast(e.message, true);
    if (e.body && e.body.problems) showProblems(e.body.problems);
  }
  await Promise.all([loadFlag(flag.key), loadList()]);
}

function renderEditor() {
  const f = flag;
  const c = config();
  const operate = currentSession().operate;
  const editor = document.getElementById('editor');
  editor.hidden = false;
  editor.dataset.key = f.key;

  const envs = ['', ...list.environments];
  const envSelect = el('select', {
    id: 'ed-env',
    onchange: (e) => {
      env = e.target.value;
      renderEditor();
    },
  }, envs.map((n) => el('option', { value: n, selected: n === env }, n || 'every environment (the flag itself)')));

  const facts = el('p', { class: 'muted small' },
    `${f.type} flag`, f.owner ? ` · owner ${f.owner}` : '', f.expires ? ` · expires ${f.expires}` : '',
    ` · last evaluated ${ago(f.lastEvaluatedAt)}`, f.changedInVersion ? ` · last changed in version ${f.changedInVersion}` : '');

  // State.
  const stateField = el('div', { class: 'field' }, el('span', { class: 'label' }, 'State'),
    el('div', { class: 'row' }, el('span', { id: 'ed-state' }, stateBadge(c.state)),
      operate ? el('button', {
        id: 'ed-state-toggle',
        type: 'button',
        onclick: () => change('state', { state: c.state === 'ENABLED' ? 'DISABLED' : 'ENABLED' }, c.state === 'ENABLED' ? 'Disabled' : 'Enabled'),
      }, c.state === 'ENABLED' ? 'Disable' : 'Enable') : null));

  // Default variant.
  const variants = Object.keys(f.variants);
  const defaultField = el('div', { class: 'field' }, el('label', { for: 'ed-default' }, 'Default variant'),
    operate
      ? el('div', { class: 'row' },
        el('select', { id: 'ed-default' },
          variants.map((v) => el('option', { value: v, selected: v === c.defaultVariant }, v)),
          el('option', { value: '', selected: !c.defaultVariant }, "none: the app's own default")),
        el('button', {
          id: 'ed-default-save',
          type: 'button',
          onclick: () => {
            const v = document.getElementById('ed-default').value;
            change('default', { variant: v || null }, 'Default variant set');
          },
        }, 'Save'))
      : el('div', { class: 'mono' }, c.defaultVariant ?? "none: the app's own default"));

  // Rollout weights.
  const weightsField = el('div', { class: 'field' }, el('span', { class: 'label' }, 'Rollout weights'));
  if (c.rollouts > 1) {
    add(weightsField, el('p', { class: 'muted small' }, `The targeting has ${c.rollouts} rollouts: edit them in the targeting below.`));
  } else {
    const current = Object.fromEntries((c.rollout || []).map((b) => [b.variant, b.weight]));
    const inputs = variants.map((v) => el('input', {
      type: 'number', min: '0', step: '1', value: String(current[v] ?? 0), dataset: { variant: v },
      'aria-label': `weight of ${v}`, disabled: !operate, oninput: () => preview(),
    }));
    const percents = variants.map(() => el('span', { class: 'muted small' }));
    const preview = () => {
      const w = inputs.map((i) => Math.max(0, parseInt(i.value || '0', 10) || 0));
      const sum = w.reduce((a, b) => a + b, 0);
      percents.forEach((p, i) => {
        p.textContent = sum ? fmtPercent((100 * w[i]) / sum) : '–';
      });
    };
    add(weightsField,
      el('div', { id: 'ed-weights', class: 'weights' }, variants.map((v, i) => [el('span', { class: 'mono' }, v), inputs[i], percents[i]])),
      c.rollout ? null : el('p', { class: 'muted small' }, c.targeting ? 'The targeting has no percentage rollout.' : 'No rollout yet: saving weights adds one.'),
      operate && !(c.targeting && !c.rollout)
        ? el('button', {
          id: 'ed-weights-save',
          type: 'button',
          onclick: () => {
            const weights = Object.fromEntries(inputs.map((i) => [i.dataset.variant, Math.max(0, parseInt(i.value || '0', 10) || 0)]));
            change('weights', { weights }, 'Weights saved');
          },
        }, 'Save weights')
        : null);
    preview();
  }

  // Targeting.
  const targetingText = JSON.stringify(c.targeting ?? {}, null, 2);
  const targetingField = el('div', { class: 'field' }, el('label', { for: 'ed-targeting' }, 'Targeting (JSON Logic)'));
  if (operate) {
    const area = el('textarea', { id: 'ed-targeting', spellcheck: 'false', rows: '9', oninput: () => scheduleCheck() });
    area.value = targetingText;
    add(targetingField, area,
      el('div', { id: 'ed-targeting-check', class: 'check', 'aria-live': 'polite' }),
      el('button', { id: 'ed-targeting-save', type: 'button', onclick: saveTargeting }, 'Save targeting'));
  } else {
    add(targetingField, el('pre', { id: 'ed-targeting-view', class: 'code' }, targetingText));
  }

  // Evaluate.
  const ctx = el('textarea', { id: 'ev-context', spellcheck: 'false', rows: '4' });
  ctx.value = lastContext ?? '{"targetingKey": "user-1"}';
  const evaluateBox = el('div', { class: 'field' }, el('label', { for: 'ev-context' }, 'Evaluate: which variant does this context get?'),
    ctx,
    el('div', { class: 'row' }, el('button', { id: 'ev-run', type: 'button', class: 'primary', onclick: () => evaluate(ctx.value) }, 'Evaluate'),
      el('span', { class: 'muted small' }, env ? `in environment ${env}` : 'in no environment (or the one the context names)')),
    el('div', { id: 'ev-result', 'aria-live': 'polite' }));

  // History.
  const historyBox = el('div', { class: 'field' }, el('span', { class: 'label' }, `History (${f.history.length} ${f.history.length === 1 ? 'change' : 'changes'})`),
    el('ol', { id: 'ed-history', class: 'history' }, f.history.map((h) => el('li', { dataset: { version: String(h.version) } },
      el('div', {}, el('strong', {}, `v${h.version}`), ` ${dateTime(h.at)} · ${h.actor} · ${h.action}`),
      el('div', { class: 'muted' }, h.detail),
      el('details', {}, el('summary', { class: 'small' }, 'before and after'),
        el('pre', {}, 'before: ' + (h.before ? JSON.stringify(h.before, null, 2) : '–')),
        el('pre', {}, 'after:  ' + (h.after ? JSON.stringify(h.after, null, 2) : '–')))))));

  fill(editor,
    el('div', { class: 'title-row' }, el('h2', { id: 'ed-title', class: 'mono' }, f.key), stateBadge(f.state),
      f.stale.map((s) => el('span', { class: 'badge warn', title: s.detail }, `stale: ${s.kind}`))),
    facts,
    f.stale.length ? el('ul', { class: 'small muted' }, f.stale.map((s) => el('li', {}, `${s.kind}: ${s.detail}`))) : null,
    el('div', { class: 'field' }, el('label', { for: 'ed-env' }, 'Environment'), envSelect),
    el('div', { class: 'ed-grid' },
      el('div', {}, stateField, defaultField, weightsField, targetingField),
      el('div', {}, evaluateBox, historyBox)));
  if (operate) check();
}

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 350);
}

function showProblems(problems) {
  const box = document.getElementById('ed-targeting-check');
  if (!box) return;
  box.className = 'check bad';
  fill(box, 'Not valid:', el('ul', {}, problems.map((p) => el('li', {}, p.message))));
}

/** Checks the targeting as typed: JSON first, here; then the whole flag set, on the server. */
async function check() {
  const area = document.getElementById('ed-targeting');
  const box = document.getElementById('ed-targeting-check');
  const save = document.getElementById('ed-targeting-save');
  if (!area) return false;
  let targeting;
  try {
    targeting = area.value.trim() ? JSON.parse(area.value) : {};
  } catch (e) {
    box.className = 'check bad';
    box.textContent = 'Not JSON: ' + e.message;
    save.disabled = true;
    return false;
  }
  try {
    const r = await api(`/ui/api/flags/${encodeURIComponent(flag.key)}/targeting?dryRun=true`, {
      method: 'POST',
      body: { targeting, environment: env || null },
    });
    if (r.valid) {
      box.className = 'check ok';
      box.textContent = '✓ Valid: the flag set stays valid with this targeting.';
      save.disabled = false;
      return true;
    }
    showProblems(r.problems);
  } catch (e) {
    box.className = 'check bad';
    box.textContent = e.message;
  }
  save.disabled = true;
  return false;
}

async function saveTargeting() {
  if (!(await check())) return;
  const area = document.getElementById('ed-targeting');
  const targeting = area.value.trim() ? JSON.parse(area.value) : {};
  await change('targeting', { targeting }, 'Targeting saved');
}

async function evaluate(text) {
  const out = document.getElementById('ev-result');
  let context;
  try {
    context = text.trim() ? JSON.parse(text) : {};
  } catch (e) {
    fill(out, el('div', { class: 'result error' }, 'The context is not JSON: ' + e.message));
    return;
  }
  lastContext = text;
  try {
    const r = await api(`/ui/api/flags/${encodeURIComponent(flag.key)}/evaluate`, {
      method: 'POST',
      body: { context, environment: env || null },
    });
    out.dataset.variant = r.variant ?? '';
    out.dataset.reason = r.reason;
    fill(out, el('div', { class: 'result' },
      el('div', { class: 'big' }, r.variant ? `variant ${r.variant}` : 'no variant',
        el('span', { class: 'muted small' }, ` · value ${JSON.stringify(r.value)} · ${r.reason}`)),
      el('div', { id: 'ev-why' }, r.why)));
  } catch (e) {
    fill(out, el('div', { class: 'result error' }, e.message));
  }
}

await start('flags');
await loadList();
const wanted = params().get('flag');
if (wanted && list.flags.some((f) => f.key === wanted)) await loadFlag(wanted);
