// The names that can follow a dot on a live value of the notebook (`dyn.` where
// `dyn` is typed `any`): completion's fallback when the type checker knows no
// members (issue 3). Only a path of names is followed (`a.b.c`), read property by
// property from the notebook's globals: nothing is called (a getter on the way
// runs, as it does for Node's REPL completion and IPython's).

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

export interface Member {
  name: string;
  /** As Jupyter's completion metadata names it: a function is a "method", anything else a "property". */
  kind: "method" | "property";
}

/** The identifier-named properties of the value at `path` in `global` and its prototypes (Object's and Function's own left out). */
export function memberNames(global: Record<string, unknown>, path: readonly string[]): Member[] {
  let value: unknown = global;
  try {
    for (const name of path) {
      if ((typeof value !== "object" && typeof value !== "function") || value === null) return [];
      value = (value as Record<string, unknown>)[name];
    }
  } catch {
    // a getter or a Proxy trap that throws
    return [];
  }
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
