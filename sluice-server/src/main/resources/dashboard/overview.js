// The apps overview: one card per app, updated every second over server-sent events.
import { start, api, el, fill, pill, trafficBar, pct, rps, ms, liveState, toLogin } from './common.js';

function card(app) {
  const r = app.release;
  let line;
  if (!r) {
    line = app.stable ? `${app.stable} is stable` : 'nothing deployed yet';
  } else {
    const step = currentStep(r);
    line = `release ${r.revision}: ${r.version} (${r.strategy}${r.from ? ', from ' + r.from : ''}) ${r.status}`
      + (step ? ` · ${step}` : '')
      + (r.reason ? ` · ${r.reason}` : '');
  }
  const rows = app.versions.map((v) => {
    const dots = v.instances.map((i) => el('span', {
      class: 'dot ' + (i.healthy ? 'ok' : i.state === 'running' ? 'wait' : 'bad'),
      title: `replica ${i.index} ${i.address}: ${i.state}${i.healthy ? ', healthy' : ', not healthy'}`,
    }));
    const t = v.traffic || {};
    return el('tr', { dataset: { version: v.version } },
      el('td', {}, el('strong', {}, v.version), el('span', { class: 'muted small' }, ' ' + v.role)),
      el('td', { class: 'num' }, v.weight + ' %'),
      el('td', {}, dots.length ? dots : el('span', { class: 'muted' }, '–'),
        el('span', { class: 'small muted' }, ` ${v.healthy}/${v.replicas}`)),
      el('td', { class: 'num' }, rps(t.rps)),
      el('td', { class: 'num' }, pct(t.errorShare)),
      el('td', { class: 'num' }, ms(t.p99)));
  });
  return el('a', { class: 'panel card', href: '/ui/apps/' + encodeURIComponent(app.app), dataset: { app: app.app } },
    el('div', { class: 'card-head' }, el('h2', {}, app.app), pill(app.health)),
    el('p', {}, line),
    trafficBar(app, { small: true }),
    el('div', { class: 'scroll' },
      el('table', { class: 'table' },
        el('thead', {}, el('tr', {},
          el('th', {}, 'Version'), el('th', { class: 'num' }, 'Weight'), el('th', {}, 'Replicas'),
          el('th', { class: 'num' }, 'Req/s'), el('th', { class: 'num' }, 'Errors'), el('th', { class: 'num' }, 'p99'))),
        el('tbody', {}, rows))));
}

function currentStep(r) {
  const steps = r.steps || [];
  const i = steps.findIndex((s) => s.state === 'current' || s.state === 'stopped');
  return i < 0 ? null : `step ${i + 1}/${steps.length}: ${steps[i].label}`;
}

let shown = '';

function render(data) {
  const text = JSON.stringify(data);
  if (text === shown) return;
  shown = text;
  if (!data.apps.length) {
    fill('apps', el('p', { class: 'muted' }, 'No apps in the spec.'));
    return;
  }
  fill('apps', data.apps.map(card));
}

function connect() {
  const es = new EventSource('/ui/api/stream');
  es.addEventListener('open', () => liveState(true));
  es.addEventListener('apps', (e) => render(JSON.parse(e.data)));
  es.addEventListener('logout', () => toLogin());
  es.addEventListener('error', () => liveState(false));
}

await start('apps');
render(await api('/ui/api/apps'));
connect();
