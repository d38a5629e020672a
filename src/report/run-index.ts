/**
 * The index page of a run folder: one page that links everything the run's commands wrote (the
 * training report, evaluations, inference-time scaling, the participation ratio, the reasoning
 * pages of hrm viz and hrm solve) and shows their plots. Rewritten by each command that adds to the folder.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { listCheckpoints } from '../train/run-folder';
import { writeFileAtomic } from '../util/atomic';
import { escapeXml } from './charts';
import { checkPath } from '../util/path';

/** One entry of the index: a file of the run, what it is, and a plot to show with it. */
export interface RunIndexEntry {
  /** the file, relative to the run folder */
  file: string;
  /** what it holds */
  title: string;
  /** an SVG beside it (relative to the run folder), shown inline as an image */
  plot?: string;
}

// What a run folder may hold, in the order the index lists it.
const KNOWN: RunIndexEntry[] = [
  { file: 'report.html', title: 'training report: loss, accuracy and halting curves', plot: 'report-accuracy.svg' },
  { file: 'eval/eval.json', title: 'evaluation (hrm eval): metrics per set, accuracy after each step, halting', plot: 'eval/halting.svg' },
  { file: 'eval/scaling.json', title: 'inference-time scaling (hrm eval --scaling)', plot: 'eval/scaling.svg' },
  { file: 'analysis/pr.json', title: 'participation ratio of z_H and z_L (hrm analyze pr)', plot: 'analysis/pr.svg' },
  { file: 'viz.html', title: 'reasoning of the first test puzzles, step by step (hrm viz)' },
  { file: 'config.json', title: 'the run configuration' },
  { file: 'metrics.jsonl', title: 'every logged metric, one JSON record per line' },
];

/** The entries present in `dir`: the known files, then any other HTML pages (reasoning pages of hrm solve --html). */
export function runIndexEntries(dir: string): RunIndexEntry[] {
  checkPath(dir, 'runIndexEntries(): dir');
  const exists = (f: string) => fs.existsSync(path.join(dir, f));
  const entries = KNOWN.filter((e) => exists(e.file)).map((e) => ({ ...e, plot: e.plot && exists(e.plot) ? e.plot : undefined }));
  const pages = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.html') && f !== 'index.html' && !KNOWN.some((e) => e.file === f))
    .sort()
    .map((f) => ({ file: f, title: 'reasoning page (hrm solve --html)' }));
  return [...entries, ...pages];
}

/** Writes `<dir>/index.html` (atomically) and returns its path. */
export function writeRunIndex(dir: string): string {
  checkPath(dir, 'writeRunIndex(): dir');
  const entries = runIndexEntries(dir);
  const checkpoints = listCheckpoints(path.join(dir, 'checkpoints'));
  const items = entries.map(
    (e) =>
      `<li><a href="${escapeXml(e.file)}">${escapeXml(e.file)}</a>: ${escapeXml(e.title)}${e.plot ? `<br><img src="${escapeXml(e.plot)}" alt="${escapeXml(e.title)}">` : ''}</li>`,
  );
  const newest = checkpoints[0] ? path.relative(dir, checkpoints[0]) : undefined;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>hrm-torch run ${escapeXml(path.basename(path.resolve(dir)))}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:900px}li{margin:12px 0}img{display:block;max-width:100%;margin-top:6px}</style></head><body>
<h1>Run ${escapeXml(path.basename(path.resolve(dir)))}</h1>
<p>${checkpoints.length} checkpoint(s)${newest ? `; newest <code>${escapeXml(newest)}</code>` : ''}.</p>
<ul>${items.join('\n')}</ul></body></html>`;
  const file = path.join(dir, 'index.html');
  writeFileAtomic(file, html);
  return file;
}
