import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readMetricsCsv, readTensorBoardRun, type ScalarPoint } from '@cairn/callbacks';
import { writeTextFileAtomically } from '@cairn/core';
import { CliError, EXIT } from '../cli-error.js';
import { chartLibrary } from './chart-library.js';
import { groupCharts } from './chart-groups.js';
import { findCheckpointMarkers, type CheckpointMarker } from './checkpoint-markers.js';
import { renderReportHtml, type ReportContent } from './html.js';
import { seriesFromCsv, seriesFromScalars, type MetricSeries } from './metric-series.js';

export interface RunReportOptions {
  /** Folder searched (recursively) for *.ckpt files; default the log folders themselves (their `checkpoints/` included). */
  checkpointsDir?: string;
  /** Page title; default the first log folder's path. */
  title?: string;
}

/** What a report shows, as numbers (the `--json` output of `cairn report`). */
export interface RunReport extends ReportContent {
  /** The HTML file written (absent from collectRunReport's answer). */
  path?: string;
}

const METRICS_CSV = 'metrics.csv';

async function requireFolder(path: string): Promise<void> {
  if (!existsSync(path) || !(await stat(path)).isDirectory()) throw new CliError(`${path}: no such folder`);
}

/**
 * Gathers a run's curves, checkpoints and resume points from its log folders (loggers'
 * `version_N` folders: CSVLogger's and TensorBoardLogger's, which get one each unless given the
 * same version). Curves come from the first metrics.csv (full precision), else from the events
 * files (float32). Resume points: TensorBoard's restart markers (TensorBoardLogger writes one
 * when it resumes) and steps going backwards in metrics.csv (a logger that appended from an
 * earlier step after a resume). Checkpoints: every *.ckpt below the folders (or checkpointsDir).
 */
export async function collectRunReport(logDirs: string | readonly string[], options: RunReportOptions = {}): Promise<RunReport> {
  const dirs = typeof logDirs === 'string' ? [logDirs] : [...logDirs];
  if (dirs.length === 0) throw new CliError('no log folder given');
  for (const dir of dirs) await requireFolder(dir);
  if (options.checkpointsDir !== undefined) await requireFolder(options.checkpointsDir);
  const sources: string[] = [];
  const notes: string[] = [];
  const resumes = new Set<number>();
  let csvSeries: MetricSeries[] | undefined;
  const scalars: ScalarPoint[] = [];
  for (const dir of dirs) {
    const csvPath = join(dir, METRICS_CSV);
    if (csvSeries === undefined && existsSync(csvPath)) {
      const csv = seriesFromCsv(await readMetricsCsv(csvPath));
      csvSeries = csv.series;
      for (const step of csv.resumes) resumes.add(step);
      sources.push(csvPath);
    }
    const tensorboard = await readTensorBoardRun(dir);
    for (const step of tensorboard.resumes) resumes.add(step);
    for (const problem of tensorboard.problems) notes.push(`events file stops early: ${join(dir, problem)}`);
    scalars.push(...tensorboard.scalars);
    sources.push(...tensorboard.files.map((name) => join(dir, name)));
  }
  if (sources.length === 0) {
    throw new CliError(`${dirs.join(', ')}: neither ${METRICS_CSV} (CSVLogger) nor events.out.tfevents.* files (TensorBoardLogger) found; pass the loggers' version folders`, EXIT.failed);
  }
  const checkpoints: CheckpointMarker[] = [];
  for (const dir of options.checkpointsDir === undefined ? dirs : [options.checkpointsDir]) checkpoints.push(...(await findCheckpointMarkers(dir)));
  return {
    title: options.title ?? `Run report: ${resolve(dirs[0]!)}`,
    sources,
    charts: groupCharts(csvSeries ?? seriesFromScalars(scalars)),
    checkpoints,
    resumes: [...resumes].sort((a, b) => a - b),
    notes,
  };
}

/** Writes the run report as one self-contained HTML file (default `<first log folder>/report.html`), atomically. */
export async function writeRunReport(logDirs: string | readonly string[], outPath?: string, options: RunReportOptions = {}): Promise<RunReport & { path: string }> {
  const report = await collectRunReport(logDirs, options);
  const path = resolve(outPath ?? join(typeof logDirs === 'string' ? logDirs : logDirs[0]!, 'report.html'));
  await writeTextFileAtomically(path, renderReportHtml(report, await chartLibrary()));
  return { ...report, path };
}
