/**
 * The report page's own script (plain browser JavaScript, inlined after uPlot). It reads the run
 * data from the JSON block and draws one uPlot chart per group, with a vertical line for each
 * checkpoint (by kind) and each resume point, drawn in uPlot's draw hook so they follow zoom.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('run-data').textContent);
  var palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];
  var markerStyle = {
    best: { color: '#d62728', dash: [], label: 'best' },
    'top-k': { color: '#e8a33d', dash: [], label: 'top-k' },
    last: { color: '#555555', dash: [4, 3], label: 'last' },
    other: { color: '#aaaaaa', dash: [2, 3], label: 'ckpt' },
    resume: { color: '#7b2cbf', dash: [8, 4], label: 'resumed' }
  };
  var markers = [];
  data.checkpoints.forEach(function (c) {
    if (c.step === null) return;
    markers.push({ step: c.step, kind: c.kinds[0], title: c.file });
  });
  data.resumes.forEach(function (step) { markers.push({ step: step, kind: 'resume', title: 'resumed at step ' + step }); });
  // Drawn in this order, so where two share a step the more telling one is on top.
  var priority = { other: 0, last: 1, 'top-k': 2, best: 3, resume: 4 };
  markers.sort(function (a, b) { return priority[a.kind] - priority[b.kind]; });

  function markersPlugin() {
    return {
      hooks: {
        draw: function (u) {
          var ctx = u.ctx;
          var ratio = window.devicePixelRatio || 1;
          var top = u.bbox.top;
          var bottom = u.bbox.top + u.bbox.height;
          ctx.save();
          ctx.font = (10 * ratio) + 'px sans-serif';
          // Labels of markers at one step are stacked instead of drawn over each other.
          var labelsAt = {};
          markers.forEach(function (m) {
            var x = Math.round(u.valToPos(m.step, 'x', true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
            var style = markerStyle[m.kind];
            ctx.strokeStyle = style.color;
            ctx.fillStyle = style.color;
            // Two device pixels on a whole-pixel x: the line is drawn in its own colour, not blended.
            ctx.lineWidth = 2 * ratio;
            ctx.setLineDash(style.dash.map(function (d) { return d * ratio; }));
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, bottom);
            ctx.stroke();
            var stacked = labelsAt[x] || 0;
            labelsAt[x] = stacked + 1;
            ctx.fillText(style.label, x + 3 * ratio, top + (12 + 12 * stacked) * ratio);
          });
          ctx.restore();
        }
      }
    };
  }

  /** Aligns the series of one chart on the union of their steps (null where a series has no value). */
  function aligned(series) {
    var steps = {};
    // Marker steps are on the axis too: a checkpoint after the last logged step stays visible.
    markers.forEach(function (m) { steps[m.step] = true; });
    series.forEach(function (s) { s.points.forEach(function (p) { steps[p[0]] = true; }); });
    var xs = Object.keys(steps).map(Number).sort(function (a, b) { return a - b; });
    var columns = series.map(function (s) {
      var byStep = {};
      s.points.forEach(function (p) { byStep[p[0]] = p[1]; });
      return xs.map(function (x) { return x in byStep ? byStep[x] : null; });
    });
    return [xs].concat(columns);
  }

  var container = document.getElementById('charts');
  var width = Math.max(320, Math.min(960, container.clientWidth || 960));
  data.charts.forEach(function (chart) {
    var box = document.createElement('section');
    box.className = 'chart';
    box.setAttribute('data-chart', chart.title);
    container.appendChild(box);
    new uPlot({
      title: chart.title,
      width: width,
      height: 300,
      // A little room on both sides, so a marker at the first or last step is not cut by the plot's edge.
      scales: { x: { time: false, range: function (u, min, max) { var pad = Math.max(0.5, (max - min) * 0.02); return [min - pad, max + pad]; } } },
      axes: [{ label: 'step' }, {}],
      series: [{ label: 'step' }].concat(chart.series.map(function (s, i) {
        return { label: s.tag, stroke: palette[i % palette.length], width: 2, spanGaps: true, points: { show: s.points.length <= 60 } };
      })),
      plugins: [markersPlugin()]
    }, aligned(chart.series), box);
  });
  document.body.setAttribute('data-charts-drawn', String(data.charts.length));
})();
`;
