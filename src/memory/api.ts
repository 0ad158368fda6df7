/**
 * One memory API instance for one realm: `weakref`, `gc`, `id`, the wrapped
 * `FinalizationRegistry`, and `runAtexit`. `install.ts` binds it to a vm context,
 * `index.ts` to a plain Node program.
 */
import { CallbackQueue, makeFinalizationRegistryClass } from "./finalization.js";
import { createGc, type GcFunction } from "./gc.js";
import { createId, type IdFunction } from "./id.js";
import { abandonProbe } from "./heap-probe.js";
import { closeAbandonedReaders } from "./inspector-reader.js";
import type { Realm } from "./realm.js";
import type { PendingTimer } from "./reference-walk.js";
import {
  makeWeakKeyDictionary,
  makeWeakValueDictionary,
  type WeakKeyDictionaryConstructor,
  type WeakValueDictionaryConstructor,
} from "./weakdict.js";
import {
  WeakrefCore,
  type FinalizeConstructor,
  type KeyedRefConstructor,
  type ProxyTypeCheck,
  type Ref,
  type RefConstructor,
  type WeakMethodConstructor,
} from "./weakref.js";
import { makeWeakSet, type WeakSetConstructor } from "./weakset.js";

/** CPython's `weakref` module. */
export interface WeakrefModule {
  readonly ref: RefConstructor;
  /** The same function as `ref` (CPython: `weakref.ReferenceType is weakref.ref`). */
  readonly ReferenceType: RefConstructor;
  readonly KeyedRef: KeyedRefConstructor;
  readonly WeakMethod: WeakMethodConstructor;
  /** A proxy to obj that throws `ReferenceError` once obj is gone. Shared when made without callback. */
  proxy<T extends object>(obj: T, callback?: ((proxy: T) => void) | null): T;
  readonly ProxyType: ProxyTypeCheck;
  readonly CallableProxyType: ProxyTypeCheck;
  /** Both proxy types, as CPython's tuple `(ProxyType, CallableProxyType)`: `ProxyTypes.some((t) => x instanceof t)`. */
  readonly ProxyTypes: readonly [ProxyTypeCheck, ProxyTypeCheck];
  /** The live weak references and proxies to obj. */
  getweakrefcount(obj: unknown): number;
  getweakrefs(obj: unknown): Array<Ref | object>;
  readonly WeakValueDictionary: WeakValueDictionaryConstructor;
  readonly WeakKeyDictionary: WeakKeyDictionaryConstructor;
  readonly WeakSet: WeakSetConstructor;
  readonly finalize: FinalizeConstructor;
}

export interface MemoryApi {
  readonly weakref: WeakrefModule;
  readonly gc: GcFunction;
  readonly id: IdFunction;
  /** The FinalizationRegistry that delivers through gc()'s ordered queue. */
  readonly FinalizationRegistry: FinalizationRegistryConstructor;
  /** Runs the alive `finalize` objects whose `atexit` is true, newest first. */
  runAtexit(): void;
  /** Runs what an interrupted flush left, then resolves once no weak callback is due any more that V8 has not delivered (`limitMs` at most): for the end of a cell. */
  settle(limitMs: number): Promise<void>;
  /** After an interrupt terminated the main thread's JavaScript: undoes what a callback, a reference walk or a heap probe stopped midway left (gc() under way for ever, an inspector session or a probe holding objects). */
  recoverFromTermination(): void;
}

/** What the host (the kernel's runtime) knows of the notebook's event loop. */
export interface MemoryHost {
  pendingTimers?(): readonly PendingTimer[];
  timerCallbackBehind?(fn: object): object | undefined;
}

export function createMemoryApi(realm: Realm, classNames: () => readonly string[] | undefined, host: MemoryHost = {}): MemoryApi {
  const queue = new CallbackQueue();
  const id = createId(realm);
  const core = new WeakrefCore(realm, queue, id);
  const weakref: WeakrefModule = Object.freeze({
    ref: core.ref,
    ReferenceType: core.ref,
    KeyedRef: core.KeyedRef,
    WeakMethod: core.WeakMethod,
    proxy: <T extends object>(obj: T, callback?: ((proxy: T) => void) | null): T => core.makeProxy(obj, callback) as T,
    ProxyType: core.ProxyType,
    CallableProxyType: core.CallableProxyType,
    ProxyTypes: Object.freeze([core.ProxyType, core.CallableProxyType] as const),
    getweakrefcount: (obj: unknown): number => core.weakrefsOf(obj).length,
    getweakrefs: (obj: unknown): Array<Ref | object> => core.weakrefsOf(obj),
    WeakValueDictionary: makeWeakValueDictionary(core),
    WeakKeyDictionary: makeWeakKeyDictionary(core),
    WeakSet: makeWeakSet(core),
    finalize: core.finalize,
  });
  const gc = createGc({
    realm,
    queue,
    classNames,
    walkHooks: {
      isWeakrefObject: (value) => core.isRef(value) || core.isProxy(value),
      callbackOf: (handle) => core.callbackOf(handle),
      heldForUser: () => [core.finalizerTable, ...queue.liveRecords()],
      pendingCallbacks: () => queue.pending,
      pendingTimers: host.pendingTimers,
      timerCallbackBehind: host.timerCallbackBehind,
    },
  });
  return {
    weakref,
    gc,
    id,
    FinalizationRegistry: makeFinalizationRegistryClass(realm, queue),
    runAtexit: () => core.runAtexit(),
    settle: (limitMs) => queue.settle(limitMs),
    recoverFromTermination: () => {
      queue.recoverFromTermination();
      closeAbandonedReaders();
      abandonProbe();
    },
  };
}
