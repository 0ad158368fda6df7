/**
 * The realm a memory API instance serves: the intrinsics of one vm context (or of
 * the main realm for a plain Node program), so that the errors a cell catches are
 * that cell's own `TypeError`/`ReferenceError` and `r instanceof Function` holds there.
 *
 * CPython has one interpreter and one set of builtins; a Node runtime has one
 * realm per vm context, which is why every helper here is created per realm.
 */
import vm from "node:vm";

export interface Realm {
  readonly Error: ErrorConstructor;
  readonly TypeError: TypeErrorConstructor;
  readonly ReferenceError: ReferenceErrorConstructor;
  readonly Array: ArrayConstructor;
  readonly FunctionPrototype: object;
  /** The realm's original FinalizationRegistry (before the API replaces it). */
  readonly FinalizationRegistry: FinalizationRegistryConstructor;
  /** `globalThis` as code in the realm sees it (the global proxy). */
  readonly globalThis: object;
  /** Whether the realm is a vm context's: then every root of the notebook is a global of it (a plain program has module-level bindings out of sight). */
  readonly vmContext: boolean;
}

/** The intrinsics of a vm context. */
export function contextRealm(context: vm.Context): Realm {
  const get = <T>(name: string): T => vm.runInContext(name, context) as T;
  return {
    Error: get<ErrorConstructor>("Error"),
    TypeError: get<TypeErrorConstructor>("TypeError"),
    ReferenceError: get<ReferenceErrorConstructor>("ReferenceError"),
    Array: get<ArrayConstructor>("Array"),
    FunctionPrototype: get<object>("Function.prototype"),
    FinalizationRegistry: get<FinalizationRegistryConstructor>("FinalizationRegistry"),
    globalThis: get<object>("globalThis"),
    vmContext: true,
  };
}

/** The intrinsics of the realm this module runs in. */
export function mainRealm(): Realm {
  return {
    Error,
    TypeError,
    ReferenceError,
    Array,
    FunctionPrototype: Function.prototype,
    FinalizationRegistry,
    globalThis,
    vmContext: false,
  };
}

/** The JavaScript name of a value's type, as CPython names `type(x).__name__`. */
export function typeName(value: unknown): string {
  return value === null ? "null" : typeof value;
}
