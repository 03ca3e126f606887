// The release page's three live charts (uPlot): requests per second, error rate, and p50/p99
// latency, one line per version, on one time axis of Unix seconds.
import { colourOf, cssVar } from './common.js';

const KEEP = 300; // seconds on screen, as many as the server keeps

export class LiveCharts {
  constructor(root, roles) {
    this.root = root;
    this.roles = roles; // version -> role, for colours
    this.t = [];
    this.v = {}; // version -> {rps: [], errors: [], p50: [], p99: []}
    this.plots = [];
    this.ready = typeof window.uPlot === 'function';
    if (!this.ready) {
      root.prepend(Object.assign(document.createElement('p'), {
        className: 'error',
        textContent: 'The chart library did not load; the numbers are in the tables below.',
      }));
    }
    let timer = null;
    window.addEventListener('resize', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.resize(), 150);
    });
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', () => this.build());
  }

  /** Replaces all data with a series from the server ({t, versions}). */
  set(series) {
    this.t = [];
    this.v = {};
    this.append(series, false);
    this.build();
  }

  /** Adds rows from the server; rebuilds the charts when a version appears. */
  append(series, draw = true) {
    let rebuild = false;
    const n = series.t.length;
    for (const name of Object.keys(series.versions)) {
      if (!this.v[name]) {
        const pad = () => new Array(this.t.length).fill(null);
        this.v[name] = { rps: pad(), errors: pad(), p50: pad(), p99: pad() };
        rebuild = true;
      }
    }
    for (let i = 0; i < n; i++) {
      const t = series.t[i];
      if (this.t.length && t <= this.t[this.t.length - 1]) continue;
      this.t.push(t);
      for (const [name, cols] of Object.entries(this.v)) {
        const s = series.versions[name];
        cols.rps.push(s ? s.rps[i] : null);
        cols.errors.push(s && s.errors[i] !== null ? s.errors[i] * 100 : null);
        cols.p50.push(s ? s.p50[i] : null);
        cols.p99.push(s ? s.p99[i] : null);
      }
    }
    const extra = this.t.length - KEEP;
    if (extra > 0) {
      this.t.splice(0, extra);
      for (const cols of Object.values(this.v)) {
        for (const a of Object.values(cols)) a.splice(0, extra);
      }
    }
    if (draw) {
      if (rebuild || !this.plots.length) this.build();
      else this.update();
    }
    this.mark();
  }

  /** Data attributes for people's tools and tests: how many seconds, who served lately. */
  mark() {
    this.root.dataset.points = String(this.t.length);
    const served = Object.entries(this.v)
      .filter(([, c]) => c.rps.slice(-5).some((x) => x !== null && x > 0))
      .map(([name]) => name)
      .sort();
    this.root.dataset.served = served.join(' ');
  }

  versions() {
    return Object.keys(this.v).sort();
  }

  data(kind) {
    if (kind === 'latency') {
      return [this.t, ...this.versions().flatMap((n) => [this.v[n].p50, this.v[n].p99])];
    }
    return [this.t, ...this.versions().map((n) => this.v[n][kind])];
  }

  opts(el, kind, unit) {
    const fg = cssVar('--muted');
    const grid = cssVar('--grid');
    const series = [{}];
    for (const n of this.versions()) {
      const stroke = colourOf(n, this.roles[n]);
      if (kind === 'latency') {
        series.push({ label: `${n} p50`, stroke, width: 2, points: { show: false }, value: (u, v) => fmt(v, unit) });
        series.push({ label: `${n} p99`, stroke, width: 1.5, dash: [6, 4], points: { show: false }, value: (u, v) => fmt(v, unit) });
      } else {
        series.push({ label: n, stroke, width: 2, points: { show: false }, value: (u, v) => fmt(v, unit) });
      }
    }
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' };
    return {
      width: Math.max(200, el.clientWidth),
      height: 190,
      series,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(kind === 'errors' ? 1 : 1, max * 1.1)] } },
      // The axis shows plain numbers (the unit is in the chart's caption), sized to the longest.
      axes: [axis, { ...axis, size: axisSize, values: (u, vals) => vals.map((v) => short(v)) }],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    };
  }

  build() {
    if (!this.ready) return;
    for (const p of this.plots) p.destroy();
    this.plots = [];
    const specs = [
      ['chart-rps', 'rps', '/s'],
      ['chart-errors', 'errors', '%'],
      ['chart-latency', 'latency', 'ms'],
    ];
    for (const [id, kind, unit] of specs) {
      const el = document.getElementById(id);
      el.replaceChildren();
      const plot = new window.uPlot(this.opts(el, kind, unit), this.data(kind), el);
      plot.kind = kind;
      this.plots.push(plot);
    }
  }

  update() {
    for (const p of this.plots) p.setData(this.data(p.kind));
  }

  resize() {
    for (const p of this.plots) {
      const el = p.root.parentElement;
      p.setSize({ width: Math.max(200, el.clientWidth), height: 190 });
    }
  }
}

function short(v) {
  if (v === null || v === undefined) return '';
  if (Math.abs(v) >= 10000) return (v / 1000).toFixed(0) + 'k';
  if (Math.abs(v) >= 1000) return (v / 1000).toFixed(1) + 'k';
  return String(Math.round(v * 100) / 100);
}

function axisSize(u, values, axisIdx, cycleNum) {
  const longest = (values || []).reduce((m, v) => Math.max(m, String(v).length), 1);
  return Math.max(36, 14 + longest * 7.5);
}

function fmt(v, unit) {
  if (v === null || v === undefined) return '–';
  const d = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toFixed(d) + (unit === '/s' ? '/s' : unit === '%' ? ' %' : ' ms');
}
