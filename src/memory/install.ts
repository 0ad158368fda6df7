/**
 * Installs the memory API into the runtime's vm context: globals `weakref`, `gc`
 * and `id`, and a `FinalizationRegistry` that delivers through gc()'s ordered
 * queue (so `await gc()` knows which registrations are due and runs the user's
 * callbacks in registration order).
 *
 * CPython's equivalents are importable modules; here they are globals of every
 * cell (and importable from "ephemeron" in a plain program, see index.ts).
 */
import vm from "node:vm";
import { createMemoryApi, type MemoryApi, type MemoryHost } from "./api.js";
import { contextRealm } from "./realm.js";

export type { MemoryApi, WeakrefModule } from "./api.js";
export type { GcFunction } from "./gc.js";

/** The context's global classes (`class GFG {}` in a cell), for gc.heap(). */
function notebookClasses(context: vm.Context): readonly string[] {
  const names: string[] = [];
  for (const key of Object.keys(context)) {
    const desc = Object.getOwnPropertyDescriptor(context, key);
    const value: unknown = desc?.value;
    if (typeof value === "function" && /^class\b/.test(Function.prototype.toString.call(value)) && value.name !== "") {
      names.push(value.name);
    }
  }
  return names.sort();
}

export function installMemoryApi(context: vm.Context, host?: MemoryHost): MemoryApi {
  const realm = contextRealm(context);
  const api = createMemoryApi(realm, () => notebookClasses(context), host);
  const global = realm.globalThis as Record<string, unknown>;
  const define = (name: string, value: unknown): void => {
    try {
      Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
    } catch {
      global[name] = value; // --expose-gc's own `gc` is non-configurable but writable
    }
    if (global[name] !== value) throw new Error(`installMemoryApi: cannot define the global '${name}'`);
  };
  define("weakref", api.weakref);
  define("gc", api.gc);
  define("id", api.id);
  define("FinalizationRegistry", api.FinalizationRegistry);
  return api;
}
