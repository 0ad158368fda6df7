/**
 * `import { weakref, gc, id } from "ephemeron"` in a plain Node program: the same
 * API as a notebook cell's globals, bound to the main realm. V8's gc is switched
 * on at run time when Node was started without --expose-gc. `finalize` objects
 * with `atexit` run when the process exits, newest first, as in CPython.
 *
 * Differs from the notebook: the global `FinalizationRegistry` is not replaced,
 * so only this module's callbacks (refs, proxies, finalize, weak containers) run
 * in gc()'s fixed order; use `memory.FinalizationRegistry` for ordered user
 * registries. `gc.heap()` lists the most common classes.
 */
import { createMemoryApi, type MemoryApi } from "./api.js";
import { mainRealm } from "./realm.js";

export type { MemoryApi, WeakrefModule } from "./api.js";
export type { GcFunction } from "./gc.js";
export type { HeapOptions, HeapReport, HeapSpace } from "./heap-report.js";
export type { IdFunction } from "./id.js";
export type { WeakKeyDictionary, WeakValueDictionary } from "./weakdict.js";
export type { Finalize, KeyedRef, Ref, RefCallback, WeakMethod } from "./weakref.js";
export type { WeakSet } from "./weakset.js";
export { installMemoryApi } from "./install.js";

/** The main realm's memory API. */
export const memory: MemoryApi = createMemoryApi(mainRealm(), () => undefined);
export const weakref = memory.weakref;
export const gc = memory.gc;
export const id = memory.id;

process.on("exit", () => memory.runAtexit());
