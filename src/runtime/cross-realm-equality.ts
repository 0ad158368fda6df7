// Node's strict deep equality (`assert.deepStrictEqual`, `assert.strict`, `util.isDeepStrictEqual`)
// requires both sides to have the same prototype. A cell's `[]` and `{}` have the notebook realm's
// Array.prototype and Object.prototype, and what Node's modules return (`fs.readdirSync`,
// `path.parse`, `structuredClone`) has the runtime realm's: the comparison a Node script passes
// failed with "Values have same structure but are not reference-equal". Here those functions
// compare as if the notebook's intrinsic objects were the runtime's: for the call, each object of
// the two values whose prototype is one of the notebook's intrinsic prototypes (Array, Object, Map,
// Error…, cross-realm-instanceof.ts's list) is given the runtime's counterpart, and its own back
// after. A value that cannot change its prototype (frozen, a proxy) is compared as it is.
//
// Loaded with `assert`: the notebook's import or require of `assert` or `util` links them (the
// runtime does not load `assert` for itself, and does not make every runtime start pay for it).

import { createRequire, syncBuiltinESMExports } from "node:module";
import { types } from "node:util";
import { LINKED } from "./cross-realm-instanceof.js";

type Compare = (...args: unknown[]) => unknown;

/** The built-in modules whose deep equality is linked when the notebook imports one of them. */
const EQUALITY_MODULES = new Set(["assert", "assert/strict", "util"]);

/** The notebook's global object, once context.ts has made it; undefined after the link is made. */
let notebook: Record<string, unknown> | undefined;

/** The realm whose intrinsics the deep equality takes for the runtime's. */
export function linkDeepEqualityTo(global: Record<string, unknown>): void {
  notebook = global;
}

/** Links the deep equality of `assert` and `util` once, if `specifier` names one of those modules. */
export function linkDeepEqualityFor(specifier: string): void {
  if (notebook === undefined || !EQUALITY_MODULES.has(specifier.replace(/^node:/, ""))) return;
  const counterparts = intrinsicCounterparts(notebook);
  notebook = undefined;
  const require = createRequire(import.meta.url);
  const assert = require("node:assert") as Record<string, unknown> & { strict: Record<string, unknown> };
  const util = require("node:util") as Record<string, unknown>;
  const replacements = new Map<unknown, Compare>();
  for (const original of [assert.deepStrictEqual, assert.notDeepStrictEqual, util.isDeepStrictEqual]) {
    if (typeof original === "function") replacements.set(original, acrossRealms(original as Compare, counterparts));
  }
  // `assert.strict.deepEqual` is `assert.deepStrictEqual` itself, under another name.
  for (const holder of [assert, assert.strict, util]) {
    for (const [key, value] of Object.entries(holder)) {
      const replacement = replacements.get(value);
      if (replacement) holder[key] = replacement;
    }
  }
  // `import { deepStrictEqual } from "node:assert"` reads the module's ES facade.
  syncBuiltinESMExports();
}

/** The notebook's intrinsic prototypes, each with the runtime realm's. */
function intrinsicCounterparts(notebook: Record<string, unknown>): Map<object, object> {
  const runtime = globalThis as unknown as Record<string, unknown>;
  const counterparts = new Map<object, object>();
  for (const name of LINKED) {
    const mine = notebook[name];
    const theirs = runtime[name];
    if (typeof mine !== "function" || typeof theirs !== "function" || mine === theirs) continue;
    counterparts.set((mine as { prototype: object }).prototype, (theirs as { prototype: object }).prototype);
  }
  return counterparts;
}

function acrossRealms(compare: Compare, counterparts: Map<object, object>): Compare {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const restore = adopt(args.slice(0, 2), counterparts);
    try {
      return Reflect.apply(compare, this, args);
    } finally {
      restore();
    }
  };
  Object.defineProperty(wrapped, "name", { value: compare.name });
  return wrapped;
}

/**
 * Gives each object reachable from `values` (through own data properties, Map entries and Set
 * members) whose prototype has a counterpart that counterpart; returns what puts them back.
 */
function adopt(values: unknown[], counterparts: Map<object, object>): () => void {
  const changed: [object, object][] = [];
  const seen = new Set<object>();
  const pending = [...values];
  while (pending.length > 0) {
    const value = pending.pop();
    // Functions are compared by identity: neither they nor what they hold need a prototype.
    if (typeof value !== "object" || value === null || seen.has(value) || types.isProxy(value)) continue;
    seen.add(value);
    const prototype = Object.getPrototypeOf(value) as object | null;
    const counterpart = prototype === null ? undefined : counterparts.get(prototype);
    if (prototype !== null && counterpart !== undefined && Object.isExtensible(value)) {
      Object.setPrototypeOf(value, counterpart);
      changed.push([value, prototype]);
    }
    // Bytes hold no objects, and a large buffer's indices are many.
    if (ArrayBuffer.isView(value) || types.isAnyArrayBuffer(value)) continue;
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && "value" in descriptor) pending.push(descriptor.value);
    }
    if (types.isMap(value)) for (const [key, entry] of Map.prototype.entries.call(value)) pending.push(key, entry);
    if (types.isSet(value)) for (const member of Set.prototype.values.call(value)) pending.push(member);
  }
  return () => {
    for (const [value, prototype] of changed.reverse()) Object.setPrototypeOf(value, prototype);
  };
}
