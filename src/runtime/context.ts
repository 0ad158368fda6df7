// The one vm context every cell of a session runs in. It gets Node's globals
// (process, Buffer, timers, URL, fetch…) from the runtime's realm, a console
// that is not the global one (the global console, while any inspector session
// is attached, keeps every object it logged alive: see the prototype notes),
// `require` and `import` resolved from the notebook's folder, `module` and
// `exports` as Node's REPL has them, and the
// notebook's display and input functions.

import { Console } from "node:console";
import { createRequire, isBuiltin, Module } from "node:module";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";
import vm from "node:vm";
import { IMPORT_META, IMPORTED_NAME, IMPORTED_NAMESPACE, LEXICAL_NAMES_FUNCTION, REQUIRED_MODULE } from "./protocol.js";
import { linkInstanceof } from "./cross-realm-instanceof.js";
import { linkDeepEqualityFor, linkDeepEqualityTo } from "./cross-realm-equality.js";
import { importedName, importedNamespace, importFrom, providedModule, requiredModule } from "./imports.js";
import { bindTimers } from "./output.js";
import { withSyntaxErrorPlace } from "./syntax-error-place.js";

/** Names of the runtime's realm that a cell must not see as they are. */
const NOT_COPIED = new Set(["global", "globalThis", "console", "gc", "require", "module", "exports", "__filename", "__dirname"]);

export interface NotebookContext {
  context: vm.Context;
  global: Record<string, unknown>;
  /** Before each cell: what it starts from that no earlier cell leaves behind (the console's open groups). */
  startCell: () => void;
}

export function createNotebookContext(cwd: string): NotebookContext {
  // An ordinary global object, not node:vm's contextified one: every global of the latter is read
  // and written through Node's interceptors, which made a loop over a notebook variable 60 times
  // slower (3e6 additions: 2.1 s against 35 ms).
  const context = vm.createContext(vm.constants.DONT_CONTEXTIFY, { name: "ephemeron notebook" });
  const global = context as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(globalThis)) {
    if (NOT_COPIED.has(key) || key in global) continue;
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, key);
    if (descriptor) Object.defineProperty(global, key, notebookOwn(global, key, descriptor));
  }
  shareWellKnownSymbols(global);
  // Node's global object is tagged "global" (Object.prototype.toString gives '[object global]'); the
  // copy above takes string keys only, and code that tells Node's global by its tag should find it.
  const tag = Object.getOwnPropertyDescriptor(globalThis, Symbol.toStringTag);
  if (tag) Object.defineProperty(global, Symbol.toStringTag, tag);
  linkInstanceof(global);
  linkDeepEqualityTo(global);
  bindTimers(global);
  define(global, "global", global);
  const { console, closeGroups } = notebookConsole(global);
  define(global, "console", console);
  const file = notebookFile(cwd);
  const nodeRequire = createRequire(file);
  // Node's require, with its resolve, cache and main; `assert` and `util` get their deep equality linked first.
  const require = Object.assign(function require(id: string): unknown {
    const provided = providedModule(id);
    if (provided) return provided;
    linkDeepEqualityFor(id);
    try {
      return nodeRequire(id);
    } catch (error) {
      // Node's SyntaxError for a file that does not parse names no file: say which (as import does).
      if (!(error instanceof Error) || error.name !== "SyntaxError") throw error;
      let path: string;
      try {
        path = nodeRequire.resolve(id);
      } catch {
        throw error;
      }
      throw withSyntaxErrorPlace(error, path);
    }
  }, nodeRequire);
  define(global, "require", require);
  // A notebook has no module of its own; these say where it is, as a .ts file beside it would (the checker knows them from @types/node).
  define(global, "__filename", file);
  define(global, "__dirname", cwd);
  define(global, IMPORT_META, {
    url: pathToFileURL(file).href,
    filename: file,
    dirname: cwd,
    resolve: (specifier: string) => (isBuiltin(specifier) ? specifier : pathToFileURL(require.resolve(specifier)).href),
  });
  // As in Node's REPL: `module.exports = …` (and TypeScript's `export = …`, which swc writes so) is
  // accepted, and changes nothing outside the cell.
  const notebookModule = new Module("<notebook>");
  define(global, "module", notebookModule);
  define(global, "exports", notebookModule.exports);
  define(global, "__ephemeron_import", (specifier: string, options?: ImportCallOptions) => importFrom(specifier, cwd, options));
  define(global, IMPORTED_NAME, importedName);
  define(global, IMPORTED_NAMESPACE, importedNamespace);
  define(global, REQUIRED_MODULE, requiredModule);
  define(global, LEXICAL_NAMES_FUNCTION, (names: string[]) => forgetAccessors(global, names));
  return { context, global, startCell: closeGroups };
}

/**
 * The notebook's file, as far as the runtime knows it: Jupyter's server names it in
 * JPY_SESSION_NAME; otherwise `[notebook]` in its folder, the name `require` resolves from.
 */
function notebookFile(cwd: string): string {
  const session = process.env.JPY_SESSION_NAME;
  return join(cwd, session ? basename(session) : "[notebook]");
}

/**
 * The notebook's console: Node's Console on the captured streams, whose `trace` makes its stack
 * with the notebook's Error, so that it shows the cells' own lines (traceback.ts) and not the
 * runtime's frames. `closeGroups` ends the groups the cells left open: each cell's output is a
 * block of its own, and a `console.group()` a cell did not end indented every later cell's output
 * (ipykernel starts each cell afresh). Counts and timers stay, as in Node's REPL: `console.time` in
 * one cell and `console.timeEnd` in a later one is how a notebook times a few cells.
 */
function notebookConsole(global: Record<string, unknown>): { console: Console; closeGroups: () => void } {
  // ignoreErrors: false skips the error listener Console adds and removes around every write
  // (half the cost of a console.log here); the captured streams never fail.
  const console = new Console({ stdout: process.stdout, stderr: process.stderr, colorMode: false, ignoreErrors: false });
  const NotebookError = global.Error as ErrorConstructor;
  console.trace = function trace(...data: unknown[]): void {
    const holder = new NotebookError(format(...data));
    holder.name = "Trace";
    this.error(holder.stack);
  };
  let depth = 0;
  const { group, groupCollapsed, groupEnd } = console;
  // Methods (named as Console's are), each counting the groups open.
  Object.assign(console, {
    group(...label: unknown[]): void {
      depth++;
      group.apply(console, label);
    },
    groupCollapsed(...label: unknown[]): void {
      depth++;
      groupCollapsed.apply(console, label);
    },
    groupEnd(): void {
      depth = Math.max(0, depth - 1);
      groupEnd.call(console);
    },
  });
  const closeGroups = (): void => {
    for (; depth > 0; depth--) groupEnd.call(console);
  };
  return { console, closeGroups };
}

/**
 * The notebook's copy of a global of the runtime's realm. Node defines `process`, `Buffer`,
 * `performance`, `TextEncoder`… as accessors whose setter replaces the runtime's own global: a
 * cell's `let process = 5` or `globalThis.Buffer = …` would have swapped them out from under the
 * runtime (which then could not even report the cell's end). Here the getter reads the runtime's
 * value (lazily, as Node's does) and the setter gives the notebook a value of its own.
 */
function notebookOwn(global: Record<string, unknown>, key: string, descriptor: PropertyDescriptor): PropertyDescriptor {
  const { get, set, enumerable } = descriptor;
  if (get === undefined && set === undefined) return descriptor;
  return {
    configurable: true,
    enumerable,
    get: get && (() => get.call(globalThis) as unknown),
    set(value: unknown) {
      Object.defineProperty(global, key, { value, writable: true, configurable: true, enumerable });
    },
  };
}

/**
 * Node 20 adds `Symbol.dispose` and `Symbol.asyncDispose` to its own realm's `Symbol` only: without
 * them in the notebook's, a cell's `using` declaration (and swc's helper for it) fails. The same
 * symbols, so that Node's objects that implement them are disposable from a cell too.
 */
function shareWellKnownSymbols(global: Record<string, unknown>): void {
  const cellSymbol = global.Symbol as SymbolConstructor;
  for (const name of ["dispose", "asyncDispose"] as const) {
    const symbol: unknown = (Symbol as unknown as Record<string, unknown>)[name];
    if (typeof symbol === "symbol" && !(name in cellSymbol)) Object.defineProperty(cellSymbol, name, { value: symbol });
  }
}

/**
 * Before a cell whose `let`, `const` or `class` declares these names: a getter, setter or read-only
 * property of the global object by one of them is removed, so that the declaration's assignment
 * makes a plain global of the value (a script's binding would shadow the property: `let clock = 5`
 * after a `clock` getter is 5). The name is not there until the declaration runs, as in a
 * script's temporal dead zone. A property that cannot be removed is left as it is.
 */
function forgetAccessors(global: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    const descriptor = Object.getOwnPropertyDescriptor(global, name);
    if (descriptor?.configurable && (descriptor.get !== undefined || descriptor.set !== undefined || descriptor.writable === false)) delete global[name];
  }
}

export function define(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}
