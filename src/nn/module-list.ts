/**
 * ModuleList: an ordered list of child modules named 0, 1, 2, ... (PyTorch's `nn.ModuleList`),
 * so state-dict keys read `layers.0.…`, `layers.1.…` as in the reference.
 * @module
 */
import { Module } from './module';

/** Children named 0, 1, 2, ... in the order they were added (PyTorch's ModuleList). */
export class ModuleList extends Module {
  private count = 0;

  /** Registers `m` as the next child (named by its index) and returns it. */
  add<M extends Module>(m: M): M {
    return this.registerModule(String(this.count++), m);
  }
}
