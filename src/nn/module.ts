/**
 * Module: named parameters, buffers (persistent or not) and child modules, with PyTorch's
 * state-dict names and order (a module's own parameters, then its persistent buffers, then its
 * children, depth first). A Module owns its tensors: `dispose()` frees them all.
 * @module
 */
import { DType, Device, invalidArgument, isDType, isFloating } from '../tensor/dtype';
import { noGrad } from '../tensor/autograd';
import { adopt, scope } from '../tensor/scope';
import { Tensor, checkTensor } from '../tensor/tensor';
import { checkObject, checkString, describeValue, hrmError } from '../util/errors';

/** A parameter is a tensor that requires grad and is owned by a Module. */
export type Parameter = Tensor;

/** What loadStateDict found. */
export interface LoadResult {
  /** the module's keys the state dict lacked */
  missingKeys: string[];
  /** the state dict's keys the module does not have */
  unexpectedKeys: string[];
}

/** A state dict to load: name -> tensor, as a Map or a plain object. */
export type StateDictInput = Map<string, Tensor> | Record<string, Tensor>;

function entriesOf(sd: StateDictInput): [string, Tensor][] {
  if (!(sd instanceof Map)) checkObject(sd, 'loadStateDict(): stateDict', 'a Map or an object of named tensors');
  return sd instanceof Map ? [...sd.entries()] : Object.entries(sd);
}

/** The base of every layer and model: it owns named parameters, buffers and child modules. */
export abstract class Module {
  /** Training mode (dropout, halting, sparse embedding updates behave differently). */
  training = true;
  private readonly _params = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _nonPersistent = new Set<string>();
  private readonly _modules = new Map<string, Module>();

  /** Adds a parameter under `name` (the state-dict name), taking ownership of `t`. */
  protected registerParameter(name: string, t: Tensor): Parameter {
    this.checkName(name);
    checkTensor(t, `registerParameter(): the tensor of '${name}'`);
    if (!isFloating(t.dtype)) throw invalidArgument(`parameter '${name}' must be floating point, got ${t.dtype}`);
    adopt(t);
    if (!t.requiresGrad) t.requiresGrad_(true);
    this._params.set(name, t);
    return t;
  }

  /** Adds a buffer; non-persistent buffers are left out of the state dict. */
  protected registerBuffer(name: string, t: Tensor, opts: { persistent?: boolean } = {}): Tensor {
    this.checkName(name);
    checkTensor(t, `registerBuffer(): the tensor of '${name}'`);
    checkObject(opts, 'registerBuffer(): opts');
    adopt(t);
    this._buffers.set(name, t);
    if (opts.persistent === false) this._nonPersistent.add(name);
    return t;
  }

  /** Adds a child module under `name`; its tensors appear under `name.` in the state dict. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkName(name);
    if (!(m instanceof Module)) throw invalidArgument(`registerModule(): the module of '${name}' must be a Module, got ${describeValue(m)}`);
    this._modules.set(name, m);
    return m;
  }

  private checkName(name: string): void {
    if (typeof name !== 'string') throw invalidArgument(`a module member name must be a string, got ${describeValue(name)}`);
    if (!name || name.includes('.')) throw invalidArgument(`a module member name must be non-empty and without '.', got '${name}'`);
    if (this._params.has(name) || this._buffers.has(name) || this._modules.has(name)) {
      throw invalidArgument(`'${name}' is already registered on ${this.constructor.name}`);
    }
  }

  /** Replaces the tensor held under a parameter or buffer name (the old one is disposed). */
  protected replaceTensor(name: string, t: Tensor): void {
    const map = this._params.has(name) ? this._params : this._buffers.has(name) ? this._buffers : undefined;
    if (!map) throw invalidArgument(`${this.constructor.name} has no parameter or buffer '${name}'`);
    const old = map.get(name)!;
    adopt(t);
    map.set(name, t);
    if (old !== t) old.dispose();
  }

  /** A parameter or buffer of this module (not of children) by name. */
  protected tensor(name: string): Tensor {
    const t = this._params.get(name) ?? this._buffers.get(name);
    if (!t) throw invalidArgument(`${this.constructor.name} has no parameter or buffer '${name}'`);
    return t;
  }

  /** (name, parameter) pairs, depth first, with dotted names. */
  namedParameters(prefix = ''): [string, Parameter][] {
    checkString(prefix, 'namedParameters(): prefix');
    const out: [string, Parameter][] = [];
    for (const [n, p] of this._params) out.push([prefix + n, p]);
    for (const [n, m] of this._modules) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Every parameter here and below, in state-dict order. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** (name, buffer) pairs; persistentOnly leaves out the non-persistent ones. */
  namedBuffers(opts: { persistentOnly?: boolean } = {}, prefix = ''): [string, Tensor][] {
    checkObject(opts, 'namedBuffers(): opts');
    checkString(prefix, 'namedBuffers(): prefix');
    const out: [string, Tensor][] = [];
    for (const [n, b] of this._buffers) if (!opts.persistentOnly || !this._nonPersistent.has(n)) out.push([prefix + n, b]);
    for (const [n, m] of this._modules) out.push(...m.namedBuffers(opts, `${prefix}${n}.`));
    return out;
  }

  /** (name, module) pairs below this one, depth first ('' is this module). */
  namedModules(prefix = ''): [string, Module][] {
    checkString(prefix, 'namedModules(): prefix');
    const out: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const [n, m] of this._modules) out.push(...m.namedModules(`${prefix}${n}.`));
    return out;
  }

  /** The direct child modules. */
  children(): Module[] {
    return [...this._modules.values()];
  }

  /** Sets training mode here and below. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode here and below (train(false)). */
  eval(): this {
    return this.train(false);
  }

  /**
   * Parameters and persistent buffers by their state-dict names, in PyTorch's order. The tensors
   * are the module's own (not copies): do not dispose them.
   */
  stateDict(prefix = ''): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [n, p] of this._params) out.set(prefix + n, p);
    for (const [n, b] of this._buffers) if (!this._nonPersistent.has(n)) out.set(prefix + n, b);
    for (const [n, m] of this._modules) for (const [k, v] of m.stateDict(`${prefix}${n}.`)) out.set(k, v);
    return out;
  }

  /**
   * Copies values from a state dict into this module's tensors (casting dtype as needed). With
   * strict (the default) any missing or unexpected key, or any shape mismatch, is an error that
   * lists them all; nothing is copied then.
   */
  loadStateDict(sd: StateDictInput, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const given = new Map(entriesOf(sd));
    const missingKeys = [...own.keys()].filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !own.has(k));
    const shapeErrors: string[] = [];
    for (const [k, t] of given) {
      const mine = own.get(k);
      if (!mine) continue;
      if (!(t instanceof Tensor)) throw invalidArgument(`state dict entry '${k}' is not a Tensor`);
      if (JSON.stringify(t.shape) !== JSON.stringify(mine.shape)) {
        shapeErrors.push(`${k}: checkpoint has shape [${t.shape}], the model expects [${mine.shape}]`);
      }
    }
    const problems: string[] = [];
    if (strict && missingKeys.length) problems.push(`missing keys (${missingKeys.length}): ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys (${unexpectedKeys.length}): ${unexpectedKeys.join(', ')}`);
    if (shapeErrors.length) problems.push(`shape mismatches: ${shapeErrors.join('; ')}`);
    if (problems.length) {
      throw hrmError('STATE_DICT_MISMATCH', `loadStateDict into ${this.constructor.name} failed: ${problems.join('. ')}`);
    }
    noGrad(() => {
      for (const [k, t] of given) own.get(k)?.copy_(t);
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Number of elements over all parameters (buffers not counted, as PyTorch's num_params). */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = undefined;
  }

  /**
   * Moves every parameter and buffer to a device, or casts the floating-point ones to a dtype.
   * Parameters stay leaves that require grad.
   */
  to(target: Device | DType): this {
    for (const [, m] of this.namedModules()) m.moveOwn(target);
    return this;
  }

  private moveOwn(target: Device | DType): void {
    const convert = (t: Tensor, isParam: boolean): Tensor => {
      if (isDType(target) ? !isFloating(t.dtype) || t.dtype === target : t.device === target) return t;
      const moved = scope(() => noGrad(() => t.to(target as DType).detach()));
      if (isParam) moved.requiresGrad_(true);
      return moved;
    };
    for (const map of [this._params, this._buffers]) {
      for (const [n, t] of map) {
        const moved = convert(t, map === this._params);
        if (moved !== t) {
          adopt(moved);
          map.set(n, moved);
          t.dispose();
        }
      }
    }
  }

  /** Frees every parameter and buffer here and below. */
  dispose(): void {
    for (const [, m] of this.namedModules()) {
      for (const t of m._params.values()) t.dispose();
      for (const t of m._buffers.values()) t.dispose();
    }
  }

  /** Frees every parameter and buffer at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
