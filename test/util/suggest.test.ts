/** "Did you mean": edit distance and the nearest valid name (src/util/suggest.ts). */
import { didYouMean, editDistance, nearest } from '../../src/util/suggest';

test('editDistance counts insertions, deletions and substitutions', () => {
  expect(editDistance('', '')).toBe(0);
  expect(editDistance('epoch', 'epochs')).toBe(1);
  expect(editDistance('hiddenSise', 'hiddenSize')).toBe(1);
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('abc', '')).toBe(3);
});

test('nearest ignores case, - and _; suggests only close names', () => {
  const keys = ['globalBatchSize', 'epochs', 'evalInterval', 'lr', 'lrMinRatio', 'hiddenSize'];
  expect(nearest('epoch', keys)).toBe('epochs');
  expect(nearest('global-batch-size', keys)).toBe('globalBatchSize');
  expect(nearest('eval_intervall', keys)).toBe('evalInterval');
  expect(nearest('hidden', keys)).toBe('hiddenSize'); // contained
  expect(nearest('momentum', keys)).toBeUndefined();
  expect(didYouMean('epoch', keys)).toBe(" (did you mean 'epochs'?)");
  expect(didYouMean('halt-max-step', ['halt-max-steps'], (k) => `--${k}`)).toBe(' (did you mean --halt-max-steps?)');
  expect(didYouMean('zzz', keys)).toBe('');
});
