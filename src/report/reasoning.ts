/**
 * The reasoning page: how a model's answer to a puzzle changes step by step, as the HRM paper
 * draws it. One self-contained HTML file (inline SVG and a few lines of script, no network): a
 * slider over every frame (each ACT step and, when traced, each inner update), a strip of the
 * steps, cells changed since the previous frame outlined, cells that disagree with the solution
 * marked, and the step at which the model halted flagged. The page holds one puzzle
 * (`hrm solve --html`) or several, with a table and a selector to switch between them (`hrm viz`);
 * both are drawn by the same section renderer. The grid renderer is shared with the dataset viewer.
 * @module
 */
import { ARC_EOS_CELL, PuzzleAnswer, PuzzleTask, UNKNOWN_CELL, tokenCells } from '../data/puzzle-codec';
import { CustomTaskInfo } from '../data/custom/vocabulary';
import type { SolveResult } from '../eval/solve';
import { writeFileAtomic } from '../util/atomic';
import { escapeXml } from './charts';
import { checkPath } from '../util/path';
import { checkArray, checkArrayLike, checkObject, checkString, describeValue, invalidArgument } from '../util/errors';

/** `g` as a grid of cell labels (an array of rows of strings); `INVALID_ARGUMENT` naming `what` and the row otherwise. */
function checkCellGrid(g: unknown, what: string): CellGrid {
  checkArray(g, what, 'a grid (an array of rows of cell labels)').forEach((row, r) => {
    checkArray(row, `${what}[${r}]`, 'a row (an array of cell labels)').forEach((v, c) => checkString(v, `${what}[${r}][${c}]`));
  });
  return g as CellGrid;
}

/** `v` as a reasoning view: its task, title, input grid, optional solution and frames checked. */
function checkReasoningView(v: unknown, what: string): ReasoningView {
  const view = checkObject<Record<string, unknown>>(v, what, 'a reasoning view (from reasoningView())');
  checkString(view.task, `${what}.task`);
  checkString(view.title, `${what}.title`);
  checkCellGrid(view.input, `${what}.input`);
  if (view.solution !== undefined) checkCellGrid(view.solution, `${what}.solution`);
  checkArray(view.frames, `${what}.frames`, 'an array of frames').forEach((f, i) => {
    const frame = checkObject<Record<string, unknown>>(f, `${what}.frames[${i}]`, 'a frame');
    checkString(frame.label, `${what}.frames[${i}].label`);
    checkCellGrid(frame.grid, `${what}.frames[${i}].grid`);
  });
  return v as ReasoningView;
}

/** A grid of cell labels as shown: Sudoku digits ('' blank), maze characters, ARC colours '0'..'9'. */
export type CellGrid = string[][];

/** One picture of the model's answer. */
export interface ReasoningFrame {
  /** what the frame shows, e.g. "step 2" or "step 2 · L update 1.0" */
  label: string;
  /** the ACT step it belongs to (1-based) */
  step: number;
  /** true for the answer at the end of a step, false for an inner update inside it */
  isStep: boolean;
  /** the answer */
  grid: CellGrid;
  /** sigmoid(q_halt) read from the same state */
  haltProbability: number;
}

/** Everything the page shows of one puzzle. */
export interface ReasoningView {
  /** which cell renderer to use */
  task: PuzzleTask;
  /** the page's heading (of the puzzle's section on a page of several) */
  title: string;
  /** the puzzle as given */
  input: CellGrid;
  /** the expected answer, when known */
  solution?: CellGrid;
  /** the frames, in order */
  frames: ReasoningFrame[];
  /** the step at which the model halted (1-based) */
  haltedAtStep: number;
}

/** An answer in the task's form as a grid of cell labels. */
export function answerGrid(answer: PuzzleAnswer, cols: number): CellGrid {
  if (typeof answer !== 'string') {
    if (!Array.isArray(answer) || !answer.every((row) => Array.isArray(row))) {
      throw invalidArgument(`answerGrid(): answer must be a string or an array of rows (arrays), got ${describeValue(answer)}`);
    }
    return answer.map((row) => row.map(String));
  }
  if (!Number.isInteger(cols) || cols < 1) throw invalidArgument(`answerGrid(): cols must be a positive integer, got ${describeValue(cols)}`);
  const rows: CellGrid = [];
  for (let i = 0; i < answer.length; i += cols) rows.push([...answer.slice(i, i + cols)].map((ch) => (ch === '.' || ch === '0' ? '' : ch)));
  return rows;
}

/**
 * The view of a solved puzzle: `puzzle` is the encoded puzzle (or a dataset row: its task and input
 * tokens, and a custom task's custom.json to name its symbols), `result` what solveTokens returned (with `trace` for inner-update frames), `solution`
 * the expected answer's tokens when known. Tokens outside the task's cells (an untrained model may
 * predict PAD) are drawn as unknown cells.
 */
export function reasoningView(
  puzzle: { task: PuzzleTask; tokens: ArrayLike<number>; custom?: CustomTaskInfo },
  result: SolveResult,
  opts: {
    /** the heading (default "<task> puzzle") */
    title?: string;
    /** the expected answer's tokens */
    solution?: ArrayLike<number>;
    /** ARC: draw the whole canvas (cut to its non-PAD part) rather than the scored crop, for examples placed off the corner */
    canvas?: boolean;
  } = {},
): ReasoningView {
  checkObject(puzzle, 'reasoningView(): puzzle', 'an encoded puzzle {task, tokens}');
  checkArrayLike(puzzle.tokens, 'reasoningView(): puzzle.tokens', 'an array of token ids');
  checkObject(result, 'reasoningView(): result', 'what solveTokens() returned');
  checkArray(result.perStep, 'reasoningView(): result.perStep', 'an array of steps').forEach((s, i) => checkObject(s, `reasoningView(): result.perStep[${i}]`, 'a step'));
  checkObject(opts, 'reasoningView(): opts');
  if (opts.solution !== undefined) checkArrayLike(opts.solution, 'reasoningView(): opts.solution', 'an array of token ids');
  const grid = (tokens: ArrayLike<number>) => tokenCells(puzzle.task, tokens, { canvas: opts.canvas, custom: puzzle.custom });
  const frames: ReasoningFrame[] = [];
  result.perStep.forEach((s, i) => {
    const step = i + 1;
    // The last update of a step is its H update, which is the step's own answer: shown once, as the step.
    for (const u of (s.updates ?? []).slice(0, -1)) {
      frames.push({ label: `step ${step} · ${u.level} update ${u.cycle + 1}.${u.step + 1}`, step, isStep: false, grid: grid(u.prediction), haltProbability: u.haltProbability });
    }
    frames.push({ label: `step ${step}`, step, isStep: true, grid: grid(s.prediction), haltProbability: s.haltProbability });
  });
  return {
    task: puzzle.task,
    title: opts.title ?? `${puzzle.task} puzzle`,
    input: grid(puzzle.tokens),
    solution: opts.solution ? grid(opts.solution) : undefined,
    frames,
    haltedAtStep: result.steps,
  };
}

/** Cells whose label differs between two grids (cells outside either grid count as changed). */
export function changedCells(a: CellGrid | undefined, b: CellGrid): [number, number][] {
  if (a !== undefined) checkCellGrid(a, 'changedCells(): a');
  checkCellGrid(b, 'changedCells(): b');
  const out: [number, number][] = [];
  b.forEach((row, r) => row.forEach((v, c) => (a?.[r]?.[c] !== v ? out.push([r, c]) : undefined)));
  return out;
}

/** The ARC palette (colours 0-9), as the ARC viewers draw them. */
export const ARC_COLOURS = ['#000000', '#0074D9', '#FF4136', '#2ECC40', '#FFDC00', '#AAAAAA', '#F012BE', '#FF851B', '#7FDBFF', '#870C25'];

const MAZE_FILL: Record<string, string> = { '#': '#333', ' ': '#fff', S: '#2ca02c', G: '#d62728', o: '#1f77b4' };
const UNKNOWN_FILL = '#f4c7c3';
const ARC_EOS_FILL = '#d8d8d8';

/** How one cell is drawn: its fill and the text in it. */
function cellStyle(task: PuzzleTask, label: string, given: boolean): { fill: string; text: string; weight: string } {
  if (label === UNKNOWN_CELL) return { fill: UNKNOWN_FILL, text: UNKNOWN_CELL, weight: 'normal' };
  if (task === 'arc') return { fill: label === ARC_EOS_CELL ? ARC_EOS_FILL : label === '' ? '#fff' : (ARC_COLOURS[Number(label)] ?? '#fff'), text: '', weight: 'normal' };
  if (task === 'maze') return { fill: MAZE_FILL[label] ?? '#fff', text: '', weight: 'normal' };
  return { fill: given ? '#eef' : '#fff', text: label, weight: given ? 'bold' : 'normal' };
}

/** A cell's side in pixels so that the grid spans about `span` pixels, within [min, max]. */
export function cellSize(rows: number, cols: number, span: number, min: number, max: number): number {
  const args = { rows, cols, span, min, max };
  for (const [k, v] of Object.entries(args)) if (typeof v !== 'number') throw invalidArgument(`cellSize(): ${k} must be a number, got ${describeValue(v)}`);
  return Math.max(min, Math.min(max, Math.floor(span / Math.max(1, rows, cols))));
}

/**
 * One grid as SVG: cells, then outlines for cells changed since `previous` and (with `markWrong`)
 * marks on cells that differ from the solution. Sudoku cells given in `view.input` are shaded.
 * `cell` fixes a cell's side in pixels (see {@link cellSize}); by default the grid spans about 320 pixels.
 */
export function gridSvg(
  view: Pick<ReasoningView, 'task' | 'input' | 'solution'>,
  grid: CellGrid,
  opts: { cell?: number; previous?: CellGrid; className?: string; markWrong?: boolean } = {},
): string {
  checkObject(view, 'gridSvg(): view', 'a reasoning view {task, input, solution}');
  checkCellGrid(view.input, 'gridSvg(): view.input');
  if (view.solution !== undefined) checkCellGrid(view.solution, 'gridSvg(): view.solution');
  checkCellGrid(grid, 'gridSvg(): grid');
  checkObject(opts, 'gridSvg(): opts');
  if (opts.previous !== undefined) checkCellGrid(opts.previous, 'gridSvg(): opts.previous');
  if (opts.cell !== undefined && (typeof opts.cell !== 'number' || !(opts.cell > 0) || !Number.isFinite(opts.cell))) throw invalidArgument(`gridSvg(): opts.cell must be a positive number of pixels, got ${describeValue(opts.cell)}`);
  if (opts.className !== undefined) checkString(opts.className, 'gridSvg(): opts.className');
  const rows = grid.length;
  const cols = Math.max(0, ...grid.map((r) => r.length));
  const size = opts.cell ?? cellSize(rows, cols, 320, 8, 36);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" class="${opts.className ?? 'grid'}" width="${cols * size + 2}" height="${rows * size + 2}" font-family="sans-serif" font-size="${Math.round(size * 0.55)}">`];
  grid.forEach((row, r) =>
    row.forEach((label, c) => {
      const given = view.task === 'sudoku' && (view.input[r]?.[c] ?? '') !== '';
      const st = cellStyle(view.task, label, given);
      const x = 1 + c * size;
      const y = 1 + r * size;
      parts.push(`<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="${st.fill}" stroke="#bbb" stroke-width="0.5"/>`);
      if (st.text) parts.push(`<text x="${x + size / 2}" y="${y + size * 0.7}" text-anchor="middle" font-weight="${st.weight}">${escapeXml(st.text)}</text>`);
      const expected = opts.markWrong ? view.solution?.[r]?.[c] : undefined;
      if (expected !== undefined && expected !== label) {
        parts.push(`<path class="wrong" d="M${x + size - size * 0.4} ${y}h${size * 0.4}v${size * 0.4}z" fill="#d62728"/>`);
      }
    }),
  );
  if (opts.previous) {
    for (const [r, c] of changedCells(opts.previous, grid)) {
      parts.push(`<rect class="changed" x="${2 + c * size}" y="${2 + r * size}" width="${size - 2}" height="${size - 2}" fill="none" stroke="#ff9800" stroke-width="2.5"/>`);
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

const PAGE_STYLE = `body{font-family:sans-serif;margin:24px;color:#222}
.row{display:flex;gap:32px;align-items:flex-start;flex-wrap:wrap}
section.puzzle{display:none}section.puzzle.current{display:block}
.frame{display:none}.frame.current{display:block}
.strip{display:flex;gap:10px;flex-wrap:wrap;margin-top:16px}
.thumb{border:2px solid transparent;padding:4px;cursor:pointer;text-align:center;font-size:12px}
.thumb.current{border-color:#1f77b4}.thumb.halted .badge{display:inline-block}
.badge{display:none;background:#d62728;color:#fff;border-radius:3px;padding:0 4px;margin-left:4px}
input[type=range]{width:420px}.legend span{display:inline-block;margin-right:16px}
table.puzzles{border-collapse:collapse;margin:8px 0 16px}table.puzzles td,table.puzzles th{border:1px solid #ccc;padding:3px 8px;text-align:right}
table.puzzles td:nth-child(2),table.puzzles th:nth-child(2){text-align:left}
table.puzzles tr.pick{cursor:pointer}table.puzzles tr.pick.current{background:#dbe9f6}`;

// Per puzzle section: moves the current frame with its slider and keeps its strip's highlight in step.
// With several sections, the selector and the table's rows choose the section shown.
const PAGE_SCRIPT = `const sections=[...document.querySelectorAll('section.puzzle')];
sections.forEach(sec=>{const frames=[...sec.querySelectorAll('.frame')];const thumbs=[...sec.querySelectorAll('.thumb')];
const slider=sec.querySelector('.slider');const info=sec.querySelector('.info');
function show(i){frames.forEach((f,k)=>f.classList.toggle('current',k===i));const f=frames[i];if(!f)return;
info.textContent=f.dataset.label+' · halt probability '+f.dataset.halt+' · '+f.dataset.changed+' cells changed'+(f.dataset.wrong!==''?' · '+f.dataset.wrong+' cells wrong':'');
thumbs.forEach(t=>t.classList.toggle('current',Number(t.dataset.frame)===i));slider.value=i;}
slider.addEventListener('input',()=>show(Number(slider.value)));
thumbs.forEach(t=>t.addEventListener('click',()=>show(Number(t.dataset.frame))));show(0);});
const pick=document.getElementById('puzzle');const rows=[...document.querySelectorAll('tr.pick')];
function select(k){sections.forEach((s,i)=>s.classList.toggle('current',i===k));rows.forEach((r,i)=>r.classList.toggle('current',i===k));if(pick)pick.value=String(k);}
if(pick)pick.addEventListener('change',()=>select(Number(pick.value)));
rows.forEach((r,i)=>r.addEventListener('click',()=>select(i)));select(0);`;

/**
 * Cells where `grid` and the view's solution differ, over both grids' extents: a cell of either
 * that the other lacks counts (an ARC answer of the wrong size is wrong); undefined without a solution.
 */
function wrongCount(view: ReasoningView, grid: CellGrid): number | undefined {
  const solution = view.solution;
  if (!solution) return undefined;
  const missing = solution.reduce((n, row, r) => n + row.filter((_, c) => grid[r]?.[c] === undefined).length, 0);
  return changedCells(solution, grid).length + missing;
}

/** What the summary of a view says: steps, the halting step, cells wrong at the end. */
function viewSummary(view: ReasoningView): { steps: number; wrong: number | undefined } {
  const last = view.frames[view.frames.length - 1];
  return { steps: view.frames.filter((f) => f.isStep).length, wrong: last ? wrongCount(view, last.grid) : undefined };
}

/** One puzzle's section: its slider, frames, solution and strip of steps (`heading` adds the view's title). */
function puzzleSection(view: ReasoningView, index: number, heading: boolean): string {
  const frames = view.frames.map((f, i) => {
    const previous = i === 0 ? view.input : view.frames[i - 1].grid;
    const changed = changedCells(previous, f.grid).length;
    const attrs = `data-label="${escapeXml(f.label)}" data-step="${f.step}" data-halt="${f.haltProbability.toFixed(3)}" data-changed="${changed}" data-wrong="${wrongCount(view, f.grid) ?? ''}"`;
    return `<div class="frame" ${attrs}>${gridSvg(view, f.grid, { previous, markWrong: true })}</div>`;
  });
  const stepFrames = view.frames.map((f, i) => ({ f, i })).filter(({ f }) => f.isStep);
  const strip = stepFrames.map(({ f, i }) => {
    const halted = f.step === view.haltedAtStep;
    return `<div class="thumb${halted ? ' halted' : ''}" data-frame="${i}" data-step="${f.step}">${gridSvg(view, f.grid, { cell: cellSize(f.grid.length, Math.max(0, ...f.grid.map((r) => r.length)), 100, 3, 12), className: 'thumbgrid', markWrong: true })}<div>step ${f.step}<span class="badge">halted</span></div></div>`;
  });
  const solution = view.solution ? `<div><h3>solution</h3>${gridSvg(view, view.solution)}</div>` : '';
  const { steps } = viewSummary(view);
  const inner = view.frames.some((f) => !f.isStep) ? ', including every inner update (decoded through one extra high-level update)' : '';
  return `<section class="puzzle" data-puzzle="${index}" data-steps="${steps}" data-halted="${view.haltedAtStep}">
${heading ? `<h2>${escapeXml(view.title)}</h2>` : ''}<p>${steps} reasoning steps; the model halted at step ${view.haltedAtStep}. ${view.frames.length} frames${inner}.</p>
<div><input type="range" class="slider" min="0" max="${Math.max(0, view.frames.length - 1)}" value="0" step="1" aria-label="frame"> <span class="info"></span></div>
<div class="row"><div><h3>puzzle</h3>${gridSvg(view, view.input)}</div><div><h3>model</h3>${frames.join('')}</div>${solution}</div>
<h3>every step</h3><div class="strip">${strip.join('')}</div>
</section>`;
}

/** The table and selector of a page of several puzzles: one row per puzzle (steps, halting step, wrong cells). */
function puzzlePicker(views: ReasoningView[]): string {
  const rows = views.map((v, k) => {
    const { steps, wrong } = viewSummary(v);
    const solved = wrong === undefined ? '' : wrong === 0 ? 'yes' : 'no';
    return `<tr class="pick" data-puzzle="${k}"><td>${k + 1}</td><td>${escapeXml(v.title)}</td><td>${steps}</td><td>${v.haltedAtStep}</td><td>${wrong ?? ''}</td><td>${solved}</td></tr>`;
  });
  const options = views.map((v, k) => `<option value="${k}">${k + 1}. ${escapeXml(v.title)}</option>`);
  return `<p><label>puzzle <select id="puzzle">${options.join('')}</select></label></p>
<table class="puzzles"><tr><th>#</th><th>puzzle</th><th>steps</th><th>halted at</th><th>wrong cells at the end</th><th>solved</th></tr>${rows.join('')}</table>`;
}

/** How a page of several puzzles is headed. */
export interface ReasoningPageOptions {
  /** the page's title (default: the first view's title for one puzzle, "reasoning, step by step" for several) */
  title?: string;
  /** paragraphs under the title (plain text: what model, what data) */
  notes?: string[];
}

/**
 * The reasoning page as one self-contained HTML document: of one puzzle, or of several (a
 * selector and a table of the puzzles above one section per puzzle, one shown at a time).
 */
export function reasoningPage(views: ReasoningView | ReasoningView[], opts: ReasoningPageOptions = {}): string {
  const list = Array.isArray(views) ? views : [views];
  list.forEach((v, i) => checkReasoningView(v, Array.isArray(views) ? `reasoningPage(): views[${i}]` : 'reasoningPage(): view'));
  checkObject(opts, 'reasoningPage(): opts');
  if (opts.title !== undefined) checkString(opts.title, 'reasoningPage(): opts.title');
  if (opts.notes !== undefined) checkArray(opts.notes, 'reasoningPage(): opts.notes', 'an array of strings').forEach((n, i) => checkString(n, `reasoningPage(): opts.notes[${i}]`));
  const several = Array.isArray(views);
  const title = opts.title ?? (several ? 'reasoning, step by step' : list[0]?.title ?? 'reasoning');
  const solutions = list.some((v) => v.solution);
  const notes = (opts.notes ?? []).map((n) => `<p>${escapeXml(n)}</p>`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${PAGE_STYLE}</style></head><body>
<h1>${escapeXml(title)}</h1>
${notes}
<p class="legend"><span style="color:#ff9800">&#9633; changed since the previous frame</span>${solutions ? '<span style="color:#d62728">&#9698; differs from the solution</span>' : ''}</p>
${several ? puzzlePicker(list) : ''}
${list.map((v, k) => puzzleSection(v, k, several)).join('\n')}
<script>${PAGE_SCRIPT}</script></body></html>`;
}

/** Writes the reasoning page of one puzzle or of several (atomically) and returns its path. */
export function writeReasoningPage(file: string, views: ReasoningView | ReasoningView[], opts: ReasoningPageOptions = {}): string {
  checkPath(file, 'writeReasoningPage(): file');
  writeFileAtomic(file, reasoningPage(views, opts));
  return file;
}
