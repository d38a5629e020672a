/** Metric normalisation (hrm-spec 3.4): losses by the batch size (training) or the count (evaluation), the rest by the count. */
import * as ht from '../../../src';
import * as subject from '../../../src/models/hrm/metrics';
import { expectInvalidArgument } from '../../helpers/errors';

const sums = { count: 4, accuracy: 3, exact_accuracy: 2, steps: 10, lm_loss: 8, q_halt_loss: 2 };

describe('normalizeMetrics', () => {
  test('training: losses / global batch size, the rest / count, count kept', () => {
    expect(ht.hrm.normalizeMetrics(sums, { lossDivisor: 16 })).toEqual({ count: 4, accuracy: 0.75, exact_accuracy: 0.5, steps: 2.5, lm_loss: 0.5, q_halt_loss: 0.125 });
  });

  test('evaluation: everything / count; no counted rows divides by 1', () => {
    expect(ht.hrm.normalizeMetrics(sums)).toEqual({ count: 4, accuracy: 0.75, exact_accuracy: 0.5, steps: 2.5, lm_loss: 2, q_halt_loss: 0.5 });
    expect(ht.hrm.normalizeMetrics({ count: 0, accuracy: 0, lm_loss: 3 })).toEqual({ count: 0, accuracy: 0, lm_loss: 3 });
    expect(ht.hrm.metricCount({})).toBe(1);
  });

  test('metric tensors read back as numbers and add up key by key', () => {
    ht.scope(() => {
      const m = { count: ht.tensor(2), accuracy: ht.tensor(1.5), exact_accuracy: ht.tensor(1), q_halt_accuracy: ht.tensor(2), steps: ht.tensor(3), lm_loss: ht.tensor(0.25), q_halt_loss: ht.tensor(0.5) };
      const v = ht.hrm.metricValues(m);
      expect(v).toEqual({ count: 2, accuracy: 1.5, exact_accuracy: 1, q_halt_accuracy: 2, steps: 3, lm_loss: 0.25, q_halt_loss: 0.5 });
      expect(ht.hrm.addMetricValues({ count: 1, lm_loss: 1 }, v)).toEqual({ ...v, count: 3, lm_loss: 1.25 });
    });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('metricValues, addMetricValues, metricCount and normalizeMetrics name a value that is not a metric', () => {
    expectInvalidArgument(() => subject.metricValues({ count: 3 } as never), 'metricValues(): metrics.count must be a Tensor, got number 3');
    expectInvalidArgument(() => subject.metricValues(undefined as never), "metricValues(): metrics must be the loss head's metrics (scalar tensors), got undefined");
    expectInvalidArgument(() => subject.addMetricValues(undefined as never, {}), 'addMetricValues(): into must be an object of metric values (numbers), got undefined');
    expectInvalidArgument(() => subject.addMetricValues({}, { count: '1' } as never), 'addMetricValues(): m.count must be a number, got string "1"');
    expectInvalidArgument(() => subject.metricCount(null as never), 'metricCount(): sums must be an object of metric values (numbers), got null');
    expectInvalidArgument(() => subject.normalizeMetrics({ count: 1 }, { lossDivisor: '2' } as never), 'normalizeMetrics(): opts.lossDivisor must be a number, got string "2"');
  });
});
