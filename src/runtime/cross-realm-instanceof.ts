// The notebook's vm context has intrinsics of its own (Error, Array, Promise…),
// and Node's modules make their values with the runtime realm's: without this,
// `e instanceof Error` is false for the error `fs.readFileSync` threw into a
// cell, `fs.readdirSync(".") instanceof Array` and `Buffer.from("a") instanceof
// Uint8Array` too, and Node's EventEmitter takes a cell's `new Error()` for a
// value that is no error ("Unhandled error."). Here each of these constructors,
// in either realm, also counts the other realm's instances as its own.

/** The intrinsics whose instances cross between the realms. */
export const LINKED = [
  "Object", "Function", "Array", "Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError",
  "AggregateError", "Promise", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Date", "RegExp",
  "ArrayBuffer", "SharedArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
  "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Boolean", "Number", "String",
];

const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];
const isPrototypeOf = Object.prototype.isPrototypeOf;

export function linkInstanceof(notebook: Record<string, unknown>, runtime: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): void {
  for (const name of LINKED) {
    const mine = notebook[name];
    const theirs = runtime[name];
    if (typeof mine !== "function" || typeof theirs !== "function" || mine === theirs) continue;
    alsoInstances(mine, (theirs as { prototype: object }).prototype);
    alsoInstances(theirs, (mine as { prototype: object }).prototype);
  }
}

/**
 * `value instanceof constructor` also when `value` inherits from `otherPrototype`. A subclass
 * (`class MyError extends Error`) inherits this method and keeps the ordinary answer: its
 * instances come from its own realm.
 */
function alsoInstances(constructor: Function, otherPrototype: object): void {
  Object.defineProperty(constructor, Symbol.hasInstance, {
    configurable: true,
    writable: true,
    value: function hasInstance(this: unknown, value: unknown): boolean {
      if (Reflect.apply(ordinaryHasInstance, this, [value])) return true;
      return this === constructor && Reflect.apply(isPrototypeOf, otherPrototype, [value]) as boolean;
    },
  });
}
