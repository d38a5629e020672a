/**
 * Operator references. An operator is named by its ATen schema ("aten::add.Tensor") and resolved
 * to a native id once, on first use; the native side reads argument kinds and defaults from the
 * schema, so a call passes positional arguments in schema order (undefined = schema default).
 * @module
 */
import { addon } from '../native';

/** An ATen operator by schema name, with its native id once resolved. */
export interface OpRef {
  /** the qualified name, e.g. "aten::add" */
  readonly name: string;
  /** the overload, e.g. "Tensor" ('' for the default) */
  readonly overload: string;
  /** the native id; -1 until first use */
  id: number;
}

/** An unresolved reference to an operator named "aten::name.overload". */
export function op(qualified: string): OpRef {
  const dot = qualified.indexOf('.', qualified.indexOf('::') + 2);
  return dot < 0
    ? { name: qualified, overload: '', id: -1 }
    : { name: qualified.slice(0, dot), overload: qualified.slice(dot + 1), id: -1 };
}

/** Resolves (once) and returns the native id of an operator. */
export function id(o: OpRef): number {
  return o.id >= 0 ? o.id : (o.id = addon.resolveOp(o.name, o.overload));
}

/** A table of operators from a record of schema names. */
export function ops<K extends string>(names: Record<K, string>): Record<K, OpRef> {
  const out = {} as Record<K, OpRef>;
  for (const k of Object.keys(names) as K[]) out[k] = op(names[k]);
  return out;
}

/** The full schema text of an operator, for messages and docs. */
export function schemaOf(o: OpRef): string {
  return addon.opSchema(id(o));
}
