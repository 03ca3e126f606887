// One app's release page: traffic split, live charts, steps, analysis, timeline, history and
// (for operators) the buttons that promote, abort and roll back, each after a confirmation.
import {
  start, api, el, fill, pill, trafficBar, pct, ms, clock, dateTime, confirmDialog, toast,
  liveState, toLogin, currentSession,
} from './common.js';
import { LiveCharts } from './charts.js';

const app = decodeURIComponent(location.pathname.split('/').pop());
document.title = `Sluice · ${app}`;
fill('app-name', app);

const roles = {};
let charts;
let status = null;
let lastSecond = 0;
let lastSeq = 0;

function renderStatus(s) {
  status = s;
  for (const v of s.versions) roles[v.version] = roles[v.version] || v.role;
  fill('health', pill(s.health));
  const r = s.release;
  let text;
  if (!r) {
    text = s.stable ? `${s.stable} is stable; no release yet` : 'Nothing deployed yet.';
  } else {
    text = `Release ${r.revision} of ${r.version} · ${r.strategy}`
      + (r.from ? ` from ${r.from}` : ' (first release)')
      + (r.trigger === 'rollback' ? ' · a rollback' : '')
      + ` · ${r.status}${phaseWords(r)} since ${clock(r.phaseSince)}`
      + (r.reason ? ` · ${r.reason}` : '');
  }
  fill('summary', text, s.listen ? el('span', { class: 'muted small' }, ` · listens on ${s.listen}`) : null);
  fill('traffic', trafficBar(s));
  renderActions(s);
  renderSteps(r);
  renderVersions(s);
  renderRuns(r);
  renderExperiments(r);
}

function phaseWords(r) {
  const words = r.phase.toLowerCase().replace('_', ' ');
  return words === r.status.toLowerCase().replace(/\s/g, '') || words.replace(' ', '') === r.status.toLowerCase()
    ? '' : ` (${words})`;
}

function renderActions(s) {
  const session = currentSession();
  if (!session.operate) {
    // A viewer gets no buttons at all: the server would refuse the change anyway.
    fill('actions');
    return;
  }
  const r = s.release;
  const active = r && !r.done;
  const buttons = [
    el('button', { id: 'promote', type: 'button', class: 'primary', disabled: !s.actions.promote, onclick: () => act('promote') }, 'Promote'),
    el('button', { id: 'promote-full', type: 'button', disabled: !s.actions.promote, onclick: () => act('promote-full') }, 'Promote fully'),
    el('button', { id: 'abort', type: 'button', class: 'danger', disabled: !s.actions.abort, onclick: () => act('abort') }, 'Abort'),
    el('button', { id: 'rollback', type: 'button', disabled: !s.actions.rollback, onclick: () => act('rollback') }, 'Rollback'),
  ];
  if (!active && !s.actions.rollback) {
    buttons.push(el('span', { class: 'muted small' }, 'No release in progress.'));
  }
  fill('actions', buttons);
}

async function act(kind) {
  const r = status.release;
  const stable = status.stable || 'the stable version';
  const what = r ? `release ${r.revision} of ${r.version}` : app;
  const asks = {
    promote: { title: `Promote ${what}?`, text: 'It goes on past the current step or pause.', confirm: 'Promote', path: 'promote', body: { full: false } },
    'promote-full': { title: `Promote ${what} fully?`, text: `The remaining steps are skipped: ${r ? r.version : 'the new version'} takes all traffic now.`, confirm: 'Promote fully', path: 'promote', body: { full: true } },
    abort: { title: `Abort ${what}?`, text: `All traffic returns to ${r && r.from ? r.from : stable} at once; the new version stops.`, confirm: 'Abort release', danger: true, path: 'abort', body: {} },
    rollback: { title: `Roll back ${app}?`, text: r && !r.done ? `The release stops and all traffic goes back to ${r.from || stable}.` : `Traffic goes back to the previous version (started again if it is no longer running).`, confirm: 'Roll back', danger: true, path: 'rollback', body: {} },
  };
  const a = asks[kind];
  if (!(await confirmDialog(a))) return;
  try {
    const s = await api(`/ui/api/apps/${encodeURIComponent(app)}/${a.path}`, { method: 'POST', body: a.body });
    renderStatus(s);
    toast(`${a.confirm}: done`);
    reload();
  } catch (e) {
    toast(e.message, true);
  }
}

function renderSteps(r) {
  if (!r) {
    fill('steps', el('li', { class: 'muted' }, 'No release yet.'));
    return;
  }
  fill('steps', r.steps.map((s, i) => el('li', {
    class: s.state,
    'aria-current': s.state === 'current' ? 'step' : null,
    dataset: { state: s.state, index: String(i) },
  }, s.label, s.state === 'skipped' ? el('span', { class: 'muted small' }, ' (skipped)') : null)));
}

function renderVersions(s) {
  const rows = [];
  for (const v of s.versions) {
    rows.push(el('tr', { dataset: { version: v.version } },
      el('td', {}, el('strong', {}, v.version), el('span', { class: 'muted small' }, ` ${v.role}`)),
      el('td', { class: 'num' }, `${v.weight} %`),
      el('td', {}, `${v.healthy}/${v.replicas} healthy`, v.retireAt ? el('div', { class: 'muted small' }, `stops at ${clock(v.retireAt)}`) : null),
      el('td', {}, v.instances.map((i) => el('div', { class: 'small' },
        el('span', { class: 'dot ' + (i.healthy ? 'ok' : i.state === 'running' ? 'wait' : 'bad') }),
        ` ${i.address} `, el('span', { class: 'muted' }, `${i.state}${i.pid > 0 ? ', pid ' + i.pid : ''}${i.restarts ? ', ' + i.restarts + ' restarts' : ''}`))))));
  }
  fill('versions', rows.length
    ? el('div', { class: 'scroll' }, el('table', { class: 'table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Version'), el('th', { class: 'num' }, 'Weight'), el('th', {}, 'Health'), el('th', {}, 'Replicas'))),
      el('tbody', {}, rows)))
    : el('p', { class: 'muted' }, 'No version runs.'));
}

function renderRuns(r) {
  const runs = r ? Object.entries(r.analysis || {}) : [];
  if (!runs.length) {
    fill('runs', el('p', { class: 'muted' }, r ? 'This release has no analysis.' : 'No release yet.'));
    return;
  }
  fill('runs', el('div', { class: 'scroll' }, el('table', { class: 'table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Run'), el('th', {}, 'Status'), el('th', { class: 'num' }, 'Measured'),
      el('th', { class: 'num' }, 'Passed'), el('th', { class: 'num' }, 'Failed'), el('th', { class: 'num' }, 'Inconclusive'), el('th', {}, 'Reason'))),
    el('tbody', {}, runs.map(([name, run]) => el('tr', { dataset: { run: name } },
      el('td', {}, name), el('td', { class: 'v-' + run.status }, run.status), el('td', { class: 'num' }, run.measurements),
      el('td', { class: 'num' }, run.passed), el('td', { class: 'num' }, run.failed), el('td', { class: 'num' }, run.inconclusive),
      el('td', {}, run.reason || '')))))));
}

function renderMeasurements(list) {
  if (!list.length) {
    fill('measurements');
    return;
  }
  fill('measurements', el('h3', {}, `Measurements (${list.length}, newest first)`),
    el('div', { class: 'scroll' }, el('table', { class: 'table', id: 'measurement-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Time'), el('th', {}, 'Run'), el('th', {}, 'Verdict'),
        el('th', { class: 'num' }, 'Score'), el('th', {}, 'Why'))),
      el('tbody', {}, list.map((m) => el('tr', {},
        el('td', { class: 'mono small' }, clock(m.at)),
        el('td', {}, `${m.run} #${m.n}`),
        el('td', { class: 'v-' + m.verdict }, m.verdict),
        el('td', { class: 'num' }, m.score === null ? '–' : String(Math.round(m.score))),
        el('td', {}, m.reason || '', m.metrics.length
          ? el('ul', { class: 'metrics-list' }, m.metrics.map((x) => el('li', {}, x.description)))
          : el('div', { class: 'muted small' }, `canary ${m.canaryRequests} requests, baseline ${m.baselineRequests}`))))))));
}

// A shadow's and an experiment's results, as the release's status carries them under "shadow" and
// "experiment" (docs/dashboard.md); nothing is shown for other releases.
function renderExperiments(r) {
  const shadow = r && r.shadow;
  const experiment = r && r.experiment;
  if (!shadow && !experiment) {
    fill('shadow', el('p', { class: 'muted small' },
      'Results of mirrored (shadow) traffic and of experiments appear here when a release has them.'));
    fill('experiment');
    return;
  }
  if (shadow) {
    const rate = shadow.metric === null
      ? 'No diff_rate metric in the shadow\'s analysis.'
      : shadow.diffRate === null ? 'Diff rate not measured yet.'
        : `Diff rate ${pct(shadow.diffRate, 2)}` + (shadow.compared !== null ? ` over ${shadow.compared} compared requests` : '')
          + ` in the last ${shadow.window}`;
    fill('shadow', el('h3', {}, `Shadow traffic to ${shadow.version}`),
      el('p', { id: 'shadow-rate' }, rate,
        el('span', { class: 'muted small' }, ` · ${shadow.percent} % of requests copied`
          + (shadow.run ? ` · analysis ${shadow.run}, ${shadow.measurements} measurements` : ''))),
      (shadow.samples || []).length
        ? el('details', {}, el('summary', {}, `${shadow.samples.length} sample diffs`),
          shadow.samples.map((s) => el('pre', {}, JSON.stringify(s, null, 2))))
        : el('p', { class: 'muted small' }, 'No differing answers recorded.'));
  } else {
    fill('shadow');
  }
  if (experiment) {
    const arms = experiment.arms || [];
    const outcome = experiment.winner
      ? `Winner ${experiment.winner}, chosen by ${experiment.chosenBy === 'person' ? 'a person' : 'the judge'}.`
      : experiment.better ? `${experiment.better} is better by the last measurements.`
        : 'No arm is significantly better.';
    const rows = arms.flatMap((a) => a.metrics.map((m) => ({ arm: a.version, m })));
    fill('experiment', el('h3', {}, 'Experiment'),
      el('p', { id: 'experiment-outcome' }, outcome,
        el('span', { class: 'muted small' }, ` · baseline ${experiment.baseline}; each measurement over the last ${experiment.window}`)),
      el('div', { class: 'scroll' }, el('table', { class: 'table', id: 'experiment-arms' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Arm'), el('th', { class: 'num' }, 'Weight'),
          el('th', { class: 'num' }, 'Requests'), el('th', { class: 'num' }, 'Measured'), el('th', {}, 'Verdict'))),
        el('tbody', {}, arms.map((a) => el('tr', { dataset: { version: a.version } },
          el('td', {}, a.version, a.baseline ? el('span', { class: 'muted small' }, ' baseline') : null,
            a.winner ? el('strong', {}, ' ★ winner') : null),
          el('td', { class: 'num' }, `${a.weight} %`),
          el('td', { class: 'num' }, a.requests === null ? '–' : String(a.requests)),
          el('td', { class: 'num' }, a.baseline ? '' : String(a.measurements)),
          el('td', {}, a.baseline ? 'the reference' : a.verdict)))))),
      rows.length ? el('p', { class: 'muted small' }, 'Each challenger\'s metrics in its last measurement, against the baseline:') : null,
      rows.length ? el('div', { class: 'scroll' }, el('table', { class: 'table', id: 'experiment-metrics' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Arm'), el('th', {}, 'Metric'), el('th', { class: 'num' }, 'Value'),
          el('th', { class: 'num' }, 'Baseline'), el('th', { class: 'num' }, 'Difference'), el('th', { class: 'num' }, 'p'),
          el('th', {}, 'Verdict'))),
        el('tbody', {}, rows.map(({ arm, m }) => el('tr', {},
          el('td', {}, arm), el('td', {}, m.metric),
          el('td', { class: 'num' }, unitValue(m.value, m.unit)),
          el('td', { class: 'num' }, unitValue(m.baseline, m.unit)),
          el('td', { class: 'num' }, m.difference === null ? '–'
            : (m.difference > 0 ? '+' : '') + unitValue(m.difference, m.unit)
              + (m.relative === null ? '' : ` (${m.relative > 0 ? '+' : ''}${pct(m.relative)})`)),
          el('td', { class: 'num' }, m.p === null ? '–' : `${pValue(m.p)} at ${pct(m.confidence)}`),
          el('td', { title: m.reason }, m.verdict)))))) : null);
  } else {
    fill('experiment');
  }
}

function unitValue(v, unit) {
  if (v === null || v === undefined) return '–';
  if (unit === 'MILLISECONDS') return ms(v);
  if (unit === 'RATIO') return pct(v, 2);
  if (unit === 'PER_SECOND') return `${v.toFixed(1)}/s`;
  return String(Math.round(v * 1000) / 1000);
}

function pValue(p) {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function renderTimeline(events) {
  fill('timeline', events.map((e) => el('li', { dataset: { seq: String(e.seq), type: e.type } },
    el('time', { datetime: e.at }, clock(e.at)),
    el('span', {}, e.description, el('div', { class: 'type' }, `#${e.seq} ${e.type}`)))));
  if (!events.length) fill('timeline', el('li', { class: 'muted' }, 'Nothing has happened yet.'));
}

function renderHistory(releases) {
  if (!releases.length) {
    fill('history', el('p', { class: 'muted' }, 'No releases yet.'));
    return;
  }
  fill('history', el('div', { class: 'scroll' }, el('table', { class: 'table', id: 'history-table' },
    el('thead', {}, el('tr', {}, el('th', { class: 'num' }, '#'), el('th', {}, 'Version'), el('th', {}, 'Status'), el('th', {}, 'Started'), el('th', {}, 'Reason'))),
    el('tbody', {}, releases.map((r) => el('tr', { dataset: { revision: String(r.revision) } },
      el('td', { class: 'num' }, r.revision),
      el('td', {}, r.version, el('div', { class: 'muted small' }, `${r.strategy}, ${r.trigger}`)),
      el('td', { class: 'v-' + (r.status === 'Succeeded' ? 'PASS' : r.status === 'Progressing' || r.status === 'Paused' ? 'RUNNING' : 'FAIL') }, r.status),
      el('td', { class: 'small' }, dateTime(r.startedAt)),
      el('td', { class: 'small' }, r.reason || '')))))));
}

function renderPage(p) {
  renderStatus(p.status);
  renderMeasurements(p.measurements);
  renderTimeline(p.timeline);
  renderHistory(p.releases);
  lastSeq = Math.max(lastSeq, p.lastSeq);
}

let reloading = null;
function reload() {
  clearTimeout(reloading);
  reloading = setTimeout(async () => {
    try {
      renderPage(await api(`/ui/api/apps/${encodeURIComponent(app)}?series=false`));
    } catch (e) {
      toast(e.message, true);
    }
  }, 250);
}

let source = null;
function connect() {
  if (source) source.close();
  source = new EventSource(`/ui/api/apps/${encodeURIComponent(app)}/stream?after=${lastSecond}&afterSeq=${lastSeq}`);
  source.addEventListener('open', () => liveState(true));
  source.addEventListener('points', (e) => {
    const series = JSON.parse(e.data);
    charts.append(series);
    if (series.t.length) lastSecond = series.t[series.t.length - 1];
  });
  source.addEventListener('status', (e) => renderStatus(JSON.parse(e.data)));
  source.addEventListener('event', (e) => {
    const ev = JSON.parse(e.data);
    lastSeq = Math.max(lastSeq, ev.seq);
    reload();
  });
  source.addEventListener('logout', () => toLogin());
  source.addEventListener('error', () => {
    // Reconnect by hand, so the stream resumes after what this page already has.
    liveState(false);
    source.close();
    setTimeout(connect, 2000);
  });
}

await start('apps');
try {
  const page = await api(`/ui/api/apps/${encodeURIComponent(app)}`);
  charts = new LiveCharts(document.getElementById('charts'), roles);
  renderPage(page);
  charts.set(page.series);
  lastSecond = page.lastSecond;
  connect();
} catch (e) {
  fill('summary', el('span', { class: 'error' }, e.message));
}
