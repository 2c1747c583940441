import type { CheckpointMarker } from './checkpoint-markers.js';
import type { ChartGroup } from './chart-groups.js';
import { PAGE_SCRIPT } from './page-script.js';

/** What the page shows; embedded as JSON and drawn by the page script. */
export interface ReportContent {
  title: string;
  sources: string[];
  charts: ChartGroup[];
  checkpoints: CheckpointMarker[];
  resumes: number[];
  notes: string[];
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON safe inside a script element: no `</script>` or `<!--` can end or change it. */
const scriptJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c');

function checkpointTable(checkpoints: readonly CheckpointMarker[]): string {
  if (checkpoints.length === 0) return '<p>No checkpoint files found.</p>';
  const rows = checkpoints.map((c) => `<tr data-kind="${c.kinds.join(' ')}"><td>${escapeHtml(c.file)}</td><td>${c.kinds.join(', ')}</td><td>${c.epoch ?? '-'}</td><td>${c.step ?? '-'}</td>` +
    `<td>${c.score === null ? '-' : escapeHtml(`${c.monitor ?? 'score'}=${c.score}`)}</td><td>${c.problem === null ? '' : escapeHtml(c.problem)}</td></tr>`);
  return `<table id="checkpoints"><thead><tr><th>file</th><th>kind</th><th>epoch</th><th>step</th><th>score</th><th>problem</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The whole report: one HTML document with uPlot, its stylesheet and the data inlined. */
export function renderReportHtml(content: ReportContent, library: { script: string; css: string }): string {
  const resumes = content.resumes.length === 0 ? 'none' : content.resumes.map((step) => `step ${step}`).join(', ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(content.title)}</title>
<style>${library.css}</style>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fff; }
.chart { margin: 1rem 0 2rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.75rem; text-align: left; }
.legend-key span { display: inline-block; margin-right: 1rem; }
.legend-key i { display: inline-block; width: 1.5rem; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 0.3rem; }
</style>
</head>
<body>
<h1>${escapeHtml(content.title)}</h1>
<p>Read from: ${content.sources.map(escapeHtml).join(', ')}. Resumed at: <span id="resumes">${resumes}</span>.</p>
${content.notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('\n')}
<p class="legend-key">Markers: <span><i style="border-color:#d62728"></i>best</span><span><i style="border-color:#e8a33d"></i>other top-k</span><span><i style="border-color:#555;border-top-style:dashed"></i>last</span><span><i style="border-color:#aaa;border-top-style:dotted"></i>other checkpoint</span><span><i style="border-color:#7b2cbf;border-top-style:dashed"></i>run resumed</span></p>
<div id="charts"></div>
<h2>Checkpoints</h2>
${checkpointTable(content.checkpoints)}
<script id="run-data" type="application/json">${scriptJson(content)}</script>
<script>${library.script}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
