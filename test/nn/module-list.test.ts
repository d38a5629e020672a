/** ModuleList: children named by index, in state dicts and training mode like any child. */
import * as ht from '../../src';

describe('ModuleList', () => {
  test('children are named 0, 1, 2 in order and their tensors appear under those names', () => {
    const list = new ht.nn.ModuleList();
    const a = list.add(new ht.nn.CastedLinear(2, 3));
    const b = list.add(new ht.nn.CastedLinear(3, 1, { bias: true }));
    expect(list.children()).toEqual([a, b]);
    expect([...list.stateDict().keys()]).toEqual(['0.weight', '1.weight', '1.bias']);
    list.eval();
    expect([a.training, b.training]).toEqual([false, false]);
    list.dispose();
  });
});
