// A live value of the notebook as completion and help see it: the names that
// can follow a dot on it (`dyn.` where `dyn` is typed `any`: completion's
// fallback when the type checker knows no members, issue 3), and how it prints
// (`xs?` shows the value beside its type, as IPython's "String form"). Only a
// path of names is followed (`a.b.c`), read property by property from the
// notebook's globals: nothing is called. Completion runs a getter on the way,
// as Node's REPL completion and IPython's do; the string form does not: Shift-Tab
// asks for it while the user types, and a getter there would run unasked.

import { types } from "node:util";
import { plainText } from "./format.js";

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

export interface Member {
  name: string;
  /** As Jupyter's completion metadata names it: a function is a "method", anything else a "property". */
  kind: "method" | "property";
}

/** Help shows at most this much of a value: a large array or a long string is cut, as IPython cuts its string form. */
const STRING_FORM_LIMIT = 2000;

/**
 * The value at `path` in `global`; undefined when a step is missing or not an object, or, with
 * `getters` false, when a step is a getter or a Proxy (its traps are code too).
 */
function valueAt(global: Record<string, unknown>, path: readonly string[], getters = true): { value: unknown } | undefined {
  let value: unknown = global;
  try {
    for (const name of path) {
      if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
      if (getters) {
        if (!(name in value)) return undefined;
        value = (value as Record<string, unknown>)[name];
        continue;
      }
      const descriptor = dataDescriptor(value, name);
      if (descriptor === undefined) return undefined;
      value = descriptor.value;
    }
  } catch {
    // a getter or a Proxy trap that throws
    return undefined;
  }
  return { value };
}

/** The descriptor of `name` on `holder` or its prototypes when it holds a value; undefined for a getter, a Proxy or no such property. */
function dataDescriptor(holder: object, name: string): PropertyDescriptor | undefined {
  for (let at: object | null = holder; at !== null; at = Object.getPrototypeOf(at)) {
    if (types.isProxy(at)) return undefined;
    const descriptor = Object.getOwnPropertyDescriptor(at, name);
    if (descriptor !== undefined) return "value" in descriptor ? descriptor : undefined;
  }
  return undefined;
}

/** How the value at `path` prints, for help; undefined when there is none, or it is a function or class (its signature says more). */
export function stringForm(global: Record<string, unknown>, path: readonly string[]): string | undefined {
  const found = valueAt(global, path, false);
  if (found === undefined || typeof found.value === "function") return undefined;
  try {
    const text = plainText(found.value);
    return text.length > STRING_FORM_LIMIT ? `${text.slice(0, STRING_FORM_LIMIT)}…` : text;
  } catch {
    // a Proxy or a custom inspect that throws
    return undefined;
  }
}

/** The identifier-named properties of the value at `path` in `global` and its prototypes (Object's and Function's own left out). */
export function memberNames(global: Record<string, unknown>, path: readonly string[]): Member[] {
  const value = valueAt(global, path)?.value;
  if (value === null || value === undefined) return [];
  const members = new Map<string, Member["kind"]>();
  const stops = new Set<unknown>();
  // Object.prototype and Function.prototype of either realm: `toString`, `call`… are noise here.
  for (const realm of [globalThis, global]) {
    stops.add((realm.Object as ObjectConstructor | undefined)?.prototype);
    stops.add((realm.Function as FunctionConstructor | undefined)?.prototype);
  }
  try {
    for (let holder: unknown = Object(value); holder !== null && !stops.has(holder); holder = Object.getPrototypeOf(holder)) {
      for (const name of Object.getOwnPropertyNames(holder)) {
        if (!IDENTIFIER.test(name) || name === "constructor" || members.has(name)) continue;
        // The descriptor, not a read: a getter is not run to find out what it gives.
        const descriptor = Object.getOwnPropertyDescriptor(holder, name);
        members.set(name, typeof descriptor?.value === "function" ? "method" : "property");
      }
    }
  } catch {
    // a Proxy whose traps throw
  }
  return [...members].map(([name, kind]) => ({ name, kind })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
