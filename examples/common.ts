/**
 * Shared by the examples: a progress printer for the Trainer and a boxed grid printer.
 */
import { TrainProgress } from '../src/train/trainer';
import { ProgressBar } from '../src/util/progress';

/** An onProgress callback that draws a progress bar with the key metrics and prints evaluations. */
export function progressPrinter(): (e: TrainProgress) => void {
  let bar: ProgressBar | undefined;
  return (e) => {
    if (e.kind === 'step' && e.metrics) {
      bar ??= new ProgressBar('training', e.totalSteps, process.stdout);
      const m = e.metrics;
      bar.update(e.step, `loss ${m.lm_loss.toFixed(3)}  token acc ${(m.accuracy * 100).toFixed(1)}%  exact ${(m.exact_accuracy * 100).toFixed(1)}%`);
    } else if (e.kind === 'eval' && e.metrics) {
      console.log(`  held-out @ step ${e.step}: exact ${(e.metrics.exact_accuracy * 100).toFixed(1)}%, token ${(e.metrics.accuracy * 100).toFixed(1)}%`);
    }
  };
}

/** Prints rows of equal-width strings side by side under titles. */
export function sideBySide(blocks: { title: string; rows: string[] }[]): string {
  const widths = blocks.map((b) => Math.max(b.title.length, ...b.rows.map((r) => r.length)));
  const height = Math.max(...blocks.map((b) => b.rows.length));
  const lines = [blocks.map((b, i) => b.title.padEnd(widths[i])).join('   ')];
  for (let r = 0; r < height; r++) lines.push(blocks.map((b, i) => (b.rows[r] ?? '').padEnd(widths[i])).join('   '));
  return lines.join('\n');
}
