/**
 * Warnings about a build's choice of folders (datasets.md 1.1): ARC-AGI-2 training mixed with
 * ARC-AGI-1 evaluation, evaluation tasks that also occur in training folders, and task names
 * shared between folders.
 * @module
 */
import * as path from 'path';
import { gridHash } from './hash';
import { ParsedTask } from './tasks';
import { ArcSubset } from './types';

function looksLike(dir: string, which: 1 | 2): boolean {
  const parts = path.resolve(dir).split(path.sep);
  return parts.some((p) => (which === 2 ? /^arc[-_ ]?agi[-_ ]?2$/i.test(p) : /^arc[-_ ]?agi(?:[-_ ]?1)?$/i.test(p)));
}

/** A key for a task's test inputs, to recognise the same task under another id or pair order. */
function testInputsKey(p: ParsedTask): string {
  return p.test.map(([i]) => gridHash(i)).sort().join('|');
}

/** The warnings for a build of these tasks and folders. */
export function leakWarnings(parsed: ParsedTask[], subsets: ArcSubset[]): string[] {
  const warnings: string[] = [];
  const arc2Training = subsets.filter((s) => !s.evaluation && looksLike(s.dir, 2));
  const arc1Evaluation = subsets.filter((s) => s.evaluation && looksLike(s.dir, 1));
  if (arc2Training.length && arc1Evaluation.length) {
    warnings.push(
      `ARC-AGI-2 training (${arc2Training.map((s) => s.dir).join(', ')}) is mixed with ARC-AGI-1 evaluation ` +
        `(${arc1Evaluation.map((s) => s.dir).join(', ')}): ARC-AGI-2 training contains 376 of the 400 ARC-AGI-1 evaluation tasks, ` +
        `test outputs included, so ARC-AGI-1 evaluation scores of this build are not meaningful. Build ARC-1 from ` +
        `[arc-agi-1, concept-arc] and ARC-2 from [arc-agi-2] (datasets.md 1.1; TRM README).`,
    );
  }
  // Independently of folder names: evaluation tasks whose id or test inputs also occur in a
  // folder whose test pairs go to the train split leak their test outputs into training.
  const evalByName = new Map<string, ParsedTask>();
  const evalByKey = new Map<string, ParsedTask>();
  for (const p of parsed) {
    if (!p.subset.evaluation) continue;
    evalByName.set(p.task.name, p);
    if (p.test.length) evalByKey.set(testInputsKey(p), p);
  }
  const leaked = new Set<string>();
  for (const p of parsed) {
    if (p.subset.evaluation || !p.test.length) continue;
    const hit = evalByName.get(p.task.name) ?? evalByKey.get(testInputsKey(p));
    if (hit) leaked.add(hit.task.name);
  }
  if (leaked.size) {
    const names = [...leaked].sort();
    warnings.push(
      `${leaked.size} evaluation task(s) (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}) also appear in a training ` +
        `folder, whose test pairs are trained on: their test-split scores are inflated. ARC-AGI-2 training contains most ` +
        `ARC-AGI-1 evaluation tasks; do not train on it and evaluate on ARC-AGI-1.`,
    );
  }
  const where = new Map<string, string[]>();
  for (const p of parsed) where.set(p.task.name, [...(where.get(p.task.name) ?? []), p.subset.dir]);
  const dup = [...where].filter(([, dirs]) => dirs.length > 1);
  if (dup.length) {
    warnings.push(
      `${dup.length} task name(s) occur in more than one folder (e.g. ${dup[0][0]} in ${dup[0][1].join(', ')}); as in the reference, ` +
        `puzzles with the same name share one puzzle identifier (and embedding).`,
    );
  }
  return warnings;
}
