/**
 * The dataset viewer: one self-contained HTML page (inline SVG, no script, no network) that shows
 * what a built dataset split holds. Its metadata and counts at the top, then the first groups
 * (a source puzzle and its augmented versions, side by side), each version with its examples'
 * inputs and labels drawn as grids of the task (Sudoku digits, maze cells, ARC colours on the
 * canvas) and, where the dataset names them (ARC), its puzzle identifier's name.
 * @module
 */
import * as path from 'path';
import type { DatasetMetadata } from '../data/format/dataset';
import { readIdentifiers } from '../data/format/dataset';
import { DatasetSplit, readExample } from '../data/format/split';
import { PuzzleTask, datasetTask, tokenCells } from '../data/puzzle-codec';
import { readCustomTaskInfo } from '../data/custom/vocabulary';
import { writeFileAtomic } from '../util/atomic';
import { checkArray, checkObject, checkString, describeValue, invalidArgument } from '../util/errors';
import { checkPath } from '../util/path';
import { escapeXml } from './charts';
import { CellGrid, cellSize, gridSvg } from './reasoning';

/** One example of a puzzle version: its input and label as cells. */
export interface DatasetViewExample {
  /** the example's row in its set */
  row: number;
  /** the input tokens as cells */
  input: CellGrid;
  /** the label tokens as cells */
  label: CellGrid;
}

/** One puzzle of a group (the source puzzle or an augmented version of it). */
export interface DatasetViewPuzzle {
  /** the puzzle's index in its set */
  puzzle: number;
  /** its puzzle identifier */
  identifier: number;
  /** the identifier's name in identifiers.json, for identifiers other than the blank */
  name?: string;
  /** its first examples */
  examples: DatasetViewExample[];
  /** how many examples it has */
  totalExamples: number;
}

/** One group: a source puzzle and its augmented versions. */
export interface DatasetViewGroup {
  /** the set it belongs to */
  set: string;
  /** the group's index in its set */
  group: number;
  /** its first puzzles */
  puzzles: DatasetViewPuzzle[];
  /** how many puzzles (versions) it has */
  totalPuzzles: number;
}

/** Counts of one set of the split. */
export interface DatasetViewSet {
  /** the set's name */
  name: string;
  /** rows of inputs and labels */
  examples: number;
  /** puzzles (entries of puzzle_identifiers) */
  puzzles: number;
  /** groups */
  groups: number;
}

/** Everything the dataset page shows. */
export interface DatasetView {
  /** the dataset folder, as given */
  root: string;
  /** the split shown */
  split: string;
  /** the task, detected from the metadata */
  task: PuzzleTask;
  /** the split's dataset.json */
  metadata: DatasetMetadata;
  /** entries in identifiers.json, when the dataset has one */
  identifiers?: number;
  /** counts per set */
  sets: DatasetViewSet[];
  /** the groups shown, in order */
  groups: DatasetViewGroup[];
}

/** How much of the split {@link datasetView} reads. */
export interface DatasetViewOptions {
  /** 'train' or 'test' (default 'train') */
  split?: string;
  /** groups to show, counted over the sets in order (default 5) */
  count?: number;
  /** puzzles (versions) to show per group (default 8) */
  versions?: number;
  /** examples to show per puzzle (default 4) */
  examples?: number;
}

const positive = (name: string, v: number) => {
  if (!Number.isInteger(v) || v < 1) throw invalidArgument(`datasetView(): opts.${name} must be a positive integer, got ${describeValue(v)}`);
  return v;
};

/**
 * Reads what the dataset page shows from `<dataRoot>/<split>`: the metadata, the counts, and the
 * first `count` groups with up to `versions` puzzles each and up to `examples` examples per puzzle.
 */
export function datasetView(dataRoot: string, opts: DatasetViewOptions = {}): DatasetView {
  checkPath(dataRoot, 'datasetView(): dataRoot');
  checkObject(opts, 'datasetView(): opts');
  const split = opts.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw invalidArgument(`datasetView(): opts.split must be 'train' or 'test', got ${describeValue(split)}`);
  const count = positive('count', opts.count ?? 5);
  const maxVersions = positive('versions', opts.versions ?? 8);
  const maxExamples = positive('examples', opts.examples ?? 4);
  const splitDir = path.join(dataRoot, split);
  const task = datasetTask(splitDir);
  const names = readIdentifiers(dataRoot);
  const data = new DatasetSplit(splitDir);
  try {
    const m = data.metadata;
    const custom = task === 'custom' ? readCustomTaskInfo(dataRoot) : undefined;
    const cells = (tokens: Int32Array) => tokenCells(task, tokens, { canvas: true, custom });
    const sets: DatasetViewSet[] = [];
    const groups: DatasetViewGroup[] = [];
    for (const set of data.sets.values()) {
      const totalGroups = set.groupIndices.length - 1;
      sets.push({ name: set.name, examples: set.inputs.rows, puzzles: set.puzzleIdentifiers.length, groups: totalGroups });
      for (let g = 0; g < totalGroups && groups.length < count; g++) {
        const [p0, p1] = [set.groupIndices[g], set.groupIndices[g + 1]];
        const puzzles: DatasetViewPuzzle[] = [];
        for (let p = p0; p < Math.min(p1, p0 + maxVersions); p++) {
          const [e0, e1] = [set.puzzleIndices[p], set.puzzleIndices[p + 1]];
          const examples: DatasetViewExample[] = [];
          for (let row = e0; row < Math.min(e1, e0 + maxExamples); row++) {
            const { inputs, labels } = readExample(set, row);
            examples.push({ row, input: cells(inputs), label: cells(labels) });
          }
          const identifier = set.puzzleIdentifiers[p];
          const name = identifier !== m.blank_identifier_id ? names?.[identifier] : undefined;
          puzzles.push({ puzzle: p, identifier, name, examples, totalExamples: e1 - e0 });
        }
        groups.push({ set: set.name, group: g, puzzles, totalPuzzles: p1 - p0 });
      }
    }
    return { root: dataRoot, split, task, metadata: m, identifiers: names?.length, sets, groups };
  } finally {
    data.close();
  }
}

const PAGE_STYLE = `body{font-family:sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
.versions{display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start}
.version{border:1px solid #ddd;border-radius:4px;padding:8px}.version h3{font-size:13px;margin:0 0 6px;font-weight:normal}
.example{display:flex;gap:6px;align-items:center;margin:6px 0}.arrow{color:#888}.more{color:#888;font-size:12px}`;

/** One grid of the page, sized so that a version's examples sit side by side. */
function cellsSvg(task: PuzzleTask, grid: CellGrid, input: CellGrid): string {
  const cols = Math.max(0, ...grid.map((r) => r.length));
  return gridSvg({ task, input }, grid, { cell: cellSize(grid.length, cols, 150, 3, 22), className: 'grid' });
}

function puzzleHtml(task: PuzzleTask, p: DatasetViewPuzzle): string {
  const caption = `${p.name !== undefined ? `<b>${escapeXml(p.name)}</b><br>` : ''}puzzle ${p.puzzle} · identifier ${p.identifier} · ${p.totalExamples} example${p.totalExamples === 1 ? '' : 's'}`;
  const examples = p.examples.map(
    (e) => `<div class="example" data-row="${e.row}">${cellsSvg(task, e.input, e.input)}<span class="arrow">&#8594;</span>${cellsSvg(task, e.label, e.input)}</div>`,
  );
  const more = p.totalExamples > p.examples.length ? `<div class="more">+ ${p.totalExamples - p.examples.length} more example(s)</div>` : '';
  return `<div class="version" data-puzzle="${p.puzzle}" data-identifier="${p.identifier}"><h3>${caption}</h3>${examples.join('')}${more}</div>`;
}

const LEGEND: Record<PuzzleTask, string> = {
  sudoku: 'Each example: the puzzle (given digits shaded) and its label, the solved board.',
  maze: 'Each example: the maze (walls dark, S green, G red) and its label, with the shortest path in blue.',
  arc: 'Each example: the input and output grids on the 30x30 canvas, cut to the part that is not padding; grey cells are the end-of-grid token.',
  custom: "Each example: the input and output sequences (or grids) as the task's symbols; empty cells are padding.",
};

/** `v` as a dataset view: the fields the page reads, checked by name (`what` names the argument). */
function checkDatasetView(v: unknown, what: string): DatasetView {
  const view = checkObject<Record<string, unknown>>(v, what, 'a dataset view (from datasetView())');
  checkString(view.root, `${what}.root`);
  checkString(view.split, `${what}.split`);
  if (typeof view.task !== 'string' || !(view.task in LEGEND)) throw invalidArgument(`${what}.task must be one of ${Object.keys(LEGEND).join(', ')}, got ${describeValue(view.task)}`);
  const m = checkObject<Record<string, unknown>>(view.metadata, `${what}.metadata`, 'a dataset metadata object');
  if (typeof m.mean_puzzle_examples !== 'number') throw invalidArgument(`${what}.metadata.mean_puzzle_examples must be a number, got ${describeValue(m.mean_puzzle_examples)}`);
  checkArray(view.sets, `${what}.sets`).forEach((s, i) => checkString(checkObject<Record<string, unknown>>(s, `${what}.sets[${i}]`).name, `${what}.sets[${i}].name`));
  checkArray(view.groups, `${what}.groups`).forEach((g, i) => {
    const group = checkObject<Record<string, unknown>>(g, `${what}.groups[${i}]`);
    checkString(group.set, `${what}.groups[${i}].set`);
    checkArray(group.puzzles, `${what}.groups[${i}].puzzles`).forEach((p, j) => checkArray(checkObject<Record<string, unknown>>(p, `${what}.groups[${i}].puzzles[${j}]`).examples, `${what}.groups[${i}].puzzles[${j}].examples`));
  });
  return v as DatasetView;
}

/** The dataset page as one self-contained HTML document. */
export function datasetViewPage(view: DatasetView): string {
  checkDatasetView(view, 'datasetViewPage(): view');
  const m = view.metadata;
  const title = `dataset ${path.basename(path.resolve(view.root))} · ${view.split} split`;
  const meta: [string, string][] = [
    ['task (from the metadata)', view.task],
    ['seq_len', String(m.seq_len)],
    ['vocab_size', String(m.vocab_size)],
    ['pad_id', String(m.pad_id)],
    ['ignore_label_id', String(m.ignore_label_id)],
    ['num_puzzle_identifiers', String(m.num_puzzle_identifiers)],
    ['total_groups', String(m.total_groups)],
    ['mean_puzzle_examples', m.mean_puzzle_examples.toFixed(3)],
    ...(view.identifiers !== undefined ? [['identifiers.json', `${view.identifiers} names`] as [string, string]] : []),
  ];
  const metaRows = meta.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td class="meta" data-key="${escapeXml(k)}">${escapeXml(v)}</td></tr>`).join('');
  const setRows = view.sets.map((s) => `<tr><td>${escapeXml(s.name)}</td><td>${s.examples}</td><td>${s.puzzles}</td><td>${s.groups}</td></tr>`).join('');
  const groups = view.groups.map((g) => {
    const shown = g.puzzles.length < g.totalPuzzles ? ` (the first ${g.puzzles.length} shown)` : '';
    const versions = g.totalPuzzles === 1 ? '1 puzzle, no augmented versions' : `${g.totalPuzzles} puzzles: the source and ${g.totalPuzzles - 1} augmented version(s)${shown}`;
    return `<section class="group" data-set="${escapeXml(g.set)}" data-group="${g.group}"><h2>group ${g.group}${view.sets.length > 1 ? ` of set ${escapeXml(g.set)}` : ''}: ${versions}</h2>
<div class="versions">${g.puzzles.map((p) => puzzleHtml(view.task, p)).join('')}</div></section>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${PAGE_STYLE}</style></head><body>
<h1>${escapeXml(title)}</h1>
<p>${escapeXml(path.resolve(view.root))}</p>
<table>${metaRows}</table>
<table><tr><th>set</th><th>examples</th><th>puzzles</th><th>groups</th></tr>${setRows}</table>
<p>${escapeXml(LEGEND[view.task])} The first ${view.groups.length} group(s) follow.</p>
${groups.join('\n')}
</body></html>`;
}

/** Writes the dataset page (atomically) and returns its path. */
export function writeDatasetViewPage(file: string, view: DatasetView): string {
  checkPath(file, 'writeDatasetViewPage(): file');
  writeFileAtomic(file, datasetViewPage(view));
  return file;
}
