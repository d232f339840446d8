// Turns a ChartSpec (reports/charts/spec.ts) into a chart.js config. Shared by the server-side PNGs
// and the HTML page, so both draw the same chart. This file is a function BODY, not a module: the
// page inlines it as `(function () { … })()` and Node evaluates it with `new Function(text)()`.
// Plain browser-safe JavaScript only (no imports, no TypeScript), because it runs as written.
'use strict';

function formatTime(ns) {
  if (!isFinite(ns)) return '—';
  if (ns < 1e3) return ns.toFixed(0) + ' ns';
  if (ns < 1e6) return +(ns / 1e3).toPrecision(3) + ' µs';
  if (ns < 1e9) return +(ns / 1e6).toPrecision(3) + ' ms';
  return +(ns / 1e9).toPrecision(3) + ' s';
}

function formatRatio(x) {
  if (!isFinite(x)) return '—';
  if (x >= 100) return x.toFixed(0) + 'x';
  if (x >= 10) return x.toFixed(1) + 'x';
  return +x.toPrecision(3) + 'x';
}

function formatValue(unit, v) {
  if (unit === 'ns') return formatTime(v);
  if (unit === 'fraction') return +(v * 100).toPrecision(3) + '%';
  return formatRatio(v);
}

// Axis labels: shortest form ("20x", not "20.0x").
function formatTick(unit, v) {
  if (unit === 'ratio') return +Number(v).toPrecision(3) + 'x';
  return formatValue(unit, v);
}

// Width and batch axes double at every step: tick at powers of two (every other one when crowded).
function powerOfTwoTicks(axis) {
  var lo = Math.ceil(Math.log2(axis.min) - 1e-9);
  var hi = Math.floor(Math.log2(axis.max) + 1e-9);
  var step = hi - lo > 10 ? 2 : 1;
  var ticks = [];
  for (var k = lo; k <= hi; k += step) ticks.push({ value: Math.pow(2, k) });
  axis.ticks = ticks;
}

// Log axes: ticks at 1, 2 and 5 × 10^k only (just 1 × 10^k when that would crowd the axis), so
// chart.js's auto-skipping never hides the labels a reader needs.
function niceLogTicks(axis) {
  var ticks = [];
  var lo = Math.floor(Math.log10(axis.min));
  var hi = Math.ceil(Math.log10(axis.max));
  var mantissas = hi - lo > 5 ? [1] : [1, 2, 5];
  for (var k = lo; k <= hi; k++) {
    mantissas.forEach(function (m) {
      var v = m * Math.pow(10, k);
      if (v >= axis.min * (1 - 1e-9) && v <= axis.max * (1 + 1e-9)) ticks.push({ value: v });
    });
  }
  axis.ticks = ticks;
}

// Draws each measured point's 95% interval as a vertical bar with caps.
var errorBarsPlugin = {
  id: 'fffErrorBars',
  afterDatasetsDraw: function (chart) {
    var ctx = chart.ctx;
    chart.data.datasets.forEach(function (dataset, index) {
      if (!dataset.fffIntervals || !chart.isDatasetVisible(index)) return;
      var meta = chart.getDatasetMeta(index);
      var yScale = chart.scales[meta.yAxisID];
      ctx.save();
      ctx.strokeStyle = dataset.type === 'bar' || chart.config.type === 'bar' ? '#222222' : dataset.borderColor;
      ctx.lineWidth = 1.5;
      meta.data.forEach(function (element, j) {
        var interval = dataset.fffIntervals[j];
        if (!interval || element.skip) return;
        var top = yScale.getPixelForValue(interval[1]);
        var bottom = yScale.getPixelForValue(interval[0]);
        var cap = element.width ? Math.min(element.width / 4, 6) : 4;
        ctx.beginPath();
        ctx.moveTo(element.x, top);
        ctx.lineTo(element.x, bottom);
        ctx.moveTo(element.x - cap, top);
        ctx.lineTo(element.x + cap, top);
        ctx.moveTo(element.x - cap, bottom);
        ctx.lineTo(element.x + cap, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

// PNGs are transparent by default; paint the chart area white so they read in dark-mode viewers.
var whiteBackgroundPlugin = {
  id: 'fffWhiteBackground',
  beforeDraw: function (chart) {
    var ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

function yBounds(spec) {
  var ys = [];
  spec.series.forEach(function (s) {
    s.points.forEach(function (p) {
      [p.y, p.low, p.high].forEach(function (v) { if (typeof v === 'number' && isFinite(v) && (!spec.y.log || v > 0)) ys.push(v); });
    });
  });
  if (ys.length === 0) return {};
  var lo = Math.min.apply(null, ys);
  var hi = Math.max.apply(null, ys);
  if (spec.y.log) return { min: lo / 1.4, max: hi * 1.4 };
  return { min: Math.min(0, lo), max: hi * 1.1 };
}

function dataset(spec, series) {
  var isBar = spec.type === 'bar';
  var base = {
    label: series.label,
    borderColor: series.color,
    backgroundColor: isBar ? series.color : series.color,
    borderWidth: series.role === 'measured' ? 2 : 1.5,
    borderDash: series.dashed ? [6, 4] : undefined,
    pointStyle: series.pointStyle || (series.role === 'claim' || series.role === 'reference' ? 'line' : 'circle'),
    pointRadius: series.role === 'marker' ? 11 : series.role === 'measured' ? 3.5 : series.role === 'bound' ? 2 : 0,
    showLine: series.role !== 'marker',
    fill: false,
    tension: 0,
    order: series.role === 'marker' ? 0 : series.role === 'measured' ? 1 : 2,
    fffIntervals: series.points.map(function (p) {
      return typeof p.low === 'number' && typeof p.high === 'number' ? [p.low, p.high] : null;
    }),
  };
  if (isBar) {
    var byCategory = {};
    series.points.forEach(function (p, j) { byCategory[p.x] = j; });
    var intervals = base.fffIntervals;
    base.data = spec.x.categories.map(function (c) { return c in byCategory ? series.points[byCategory[c]].y : null; });
    base.fffIntervals = spec.x.categories.map(function (c) { return c in byCategory ? intervals[byCategory[c]] : null; });
  } else {
    base.data = series.points.map(function (p) { return { x: p.x, y: p.y }; });
  }
  return base;
}

// options: { titles: draw the title and subtitle inside the canvas (PNG) or not (the page has headings),
//            responsive: size to the container (page) or to the canvas (PNG) }
function buildConfig(spec, options) {
  options = options || {};
  var isBar = spec.type === 'bar';
  // Bars always sit on categories; a line chart does when its spec lists them (e.g. one run per
  // label in the trend report), its points then naming their category as x.
  var isCategory = isBar || Array.isArray(spec.x.categories);
  var y = yBounds(spec);
  var xScale = {
    type: isCategory ? 'category' : spec.x.log ? 'logarithmic' : 'linear',
    title: { display: true, text: spec.x.label },
    ticks: isCategory
      ? { autoSkip: false, maxRotation: 60, minRotation: 30, font: { size: 10 } }
      : { callback: function (v) { return String(+Number(v).toPrecision(6)); } },
  };
  if (spec.x.powersOfTwo) xScale.afterBuildTicks = powerOfTwoTicks;
  else if (spec.x.log) xScale.afterBuildTicks = niceLogTicks;
  if (!isCategory && !spec.x.log) xScale.ticks.stepSize = 1;
  return {
    type: isBar ? 'bar' : 'line',
    data: { labels: isCategory ? spec.x.categories : undefined, datasets: spec.series.map(function (s) { return dataset(spec, s); }) },
    options: {
      animation: false,
      responsive: !!options.responsive,
      maintainAspectRatio: false,
      devicePixelRatio: options.devicePixelRatio,
      parsing: isBar ? undefined : { xAxisKey: 'x', yAxisKey: 'y' },
      scales: {
        x: xScale,
        y: {
          type: spec.y.log ? 'logarithmic' : 'linear',
          min: y.min,
          max: y.max,
          title: { display: true, text: spec.y.label },
          afterBuildTicks: spec.y.log ? niceLogTicks : undefined,
          ticks: { callback: function (v) { return formatTick(spec.y.unit, v); } },
        },
      },
      plugins: {
        // The machine joins the title as fullTitle (charts/spec.ts) joins them: a PNG stands alone.
        title: { display: !!options.titles, text: spec.machine ? spec.title + ' — ' + spec.machine : spec.title, color: '#111111', font: { size: 15, weight: 'bold' } },
        subtitle: { display: !!options.titles, text: spec.subtitle, padding: { bottom: 8 } },
        legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 6, boxHeight: 6, color: '#222222' } },
        tooltip: {
          callbacks: {
            label: function (item) {
              var ds = item.dataset;
              var interval = ds.fffIntervals && ds.fffIntervals[item.dataIndex];
              var text = ds.label + ': ' + formatValue(spec.y.unit, item.parsed.y);
              return interval ? text + ' [95% CI ' + formatValue(spec.y.unit, interval[0]) + ', ' + formatValue(spec.y.unit, interval[1]) + ']' : text;
            },
          },
        },
      },
    },
    plugins: [errorBarsPlugin, whiteBackgroundPlugin],
  };
}

return { buildConfig: buildConfig, formatValue: formatValue };
