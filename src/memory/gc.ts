/**
 * `gc`: deterministic collection, reference counts, referrers, heap report.
 *
 * Mirrors CPython's `gc.collect()` (returns a count; afterwards everything
 * unreachable is gone and its weakref callbacks have run), `sys.getrefcount`
 * (`gc.refcount`) and `gc.get_referrers` (`gc.referrers`, as readable lines).
 *
 * Where JavaScript differs:
 * - `gc()` is asynchronous: V8 keeps WeakRef targets alive until the current job
 *   ends (KeepDuringJob) and runs FinalizationRegistry callbacks in tasks of its
 *   own, one registry per task. The recipe (runtime-prototype.md, Q1): a
 *   macrotask, V8's full `gc()`, one macrotask per registry with due
 *   registrations, then the queued callbacks in a fixed order; repeated until a
 *   round runs no callback. It resolves to the number of user callbacks run
 *   (weakref/proxy callbacks, finalizers, FinalizationRegistry callbacks), where
 *   CPython's returns the number of unreachable objects found.
 * - `gc.refcount(obj)` counts strong references by the rules of a heap snapshot
 *   (no +1 for the call's argument). In a notebook it walks the object graph from
 *   the notebook's roots (reference-walk.ts: ~0.2 s for 50 MB of objects) and
 *   takes a snapshot (seconds on such a heap) only where the walk cannot see
 *   every reference. `EPHEMERON_REFCOUNT=snapshot` always takes the snapshot;
 *   `EPHEMERON_REFCOUNT=check` does both and throws when the counts differ.
 */
import v8 from "node:v8";
import { inspect, type InspectOptions } from "node:util";
import vm from "node:vm";
import type { CallbackQueue } from "./finalization.js";
import { HeapProbe, probeBufferBytes } from "./heap-probe.js";
import { makeHeapReport, type HeapOptions, type HeapReport } from "./heap-report.js";
import { typeName, type Realm } from "./realm.js";
import { ReferenceWalk, type WalkHooks } from "./reference-walk.js";
import type { RefcountResult } from "./snapshot.js";

export interface GcFunction {
  /** Same as `gc.collect()`. */
  (): Promise<number>;
  /**
   * Full, deterministic collection: resolves once every object reachable only
   * weakly is gone and every due callback has run, to the number of callbacks run.
   */
  collect(): Promise<number>;
  /** Number of strong references to `obj` in the heap (by a heap snapshot's rules). */
  refcount(obj: object): number;
  /** One line per holder of `obj`: a variable's name, `owner.property`, `array[i]`, `closure of function f`, `Map entry (m)`. */
  referrers(obj: object): string[];
  /** Heap use, and live objects per class of the notebook; `{ precision: "MB" }` for figures that are the same on every run. */
  heap(options?: HeapOptions): HeapReport;
}

let v8gc: (() => void) | undefined;

/** V8's own gc(): from --expose-gc, or switched on at run time. */
export function v8GarbageCollector(): () => void {
  if (v8gc === undefined) {
    const exposed = (globalThis as { gc?: unknown }).gc;
    if (typeof exposed === "function") {
      v8gc = exposed as () => void;
    } else {
      v8.setFlagsFromString("--expose-gc");
      v8gc = vm.runInNewContext("gc") as () => void;
    }
  }
  return v8gc;
}

/** 0.1 ms was enough in 4000 runs; twice that, as the machine may be busier. */
const compileThreadExitMs = 0.2;

/**
 * For programs that import this package and let V8 optimize on background threads (the kernel's
 * runtime does not: runtime-supervisor.ts starts it with --no-concurrent-recompilation). A compile
 * thread's heap holds handles to what it compiled against (a closure gc.referrers' walk made, say,
 * and the notebook object it captured) until the thread has torn that heap down, which it does after
 * reporting its job done; a collection before then keeps those objects. Measured: 10–20% of
 * `gc.referrers(x); x = null; await gc()` left x alive. `%FinalizeOptimization` (V8's test hook;
 * natives syntax is on only to compile this one call, so notebook code never gets it) waits for the
 * jobs, and a moment's sleep gives the threads the CPU to finish: 0 in 6000 runs, where the hook
 * alone left 1 in 250–400. Undefined where V8 does not offer the hook.
 */
function backgroundCompilesFinisher(): (() => void) | undefined {
  if (process.execArgv.includes("--no-concurrent-recompilation")) return undefined;
  let finalize: () => void;
  v8.setFlagsFromString("--allow-natives-syntax");
  try {
    finalize = new Function("%FinalizeOptimization()") as () => void;
  } catch {
    return undefined;
  } finally {
    v8.setFlagsFromString("--no-allow-natives-syntax");
  }
  const neverNotified = new Int32Array(new SharedArrayBuffer(4));
  return () => {
    finalize();
    Atomics.wait(neverNotified, 0, 0, compileThreadExitMs);
  };
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface GcOptions {
  readonly realm: Realm;
  readonly queue: CallbackQueue;
  /** Names of the notebook's classes, for `gc.heap()` (undefined: the most common classes). */
  readonly classNames: () => readonly string[] | undefined;
  /** What the reference walk needs from the weakref module; without them every count takes a snapshot. */
  readonly walkHooks?: WalkHooks;
}

/** How the last gc.refcount/gc.referrers was answered (for benchmarks and tests). */
export interface RefcountInfo {
  readonly path: "walk" | "snapshot";
  /** Why the walk gave way to a snapshot. */
  readonly reason?: string;
  readonly ms: number;
  readonly visited?: number;
  readonly inspectorCalls?: number;
}

let lastInfo: RefcountInfo | undefined;
export const lastRefcountInfo = (): RefcountInfo | undefined => lastInfo;

type RefcountMode = "auto" | "snapshot" | "check";

function refcountMode(): RefcountMode {
  const mode = process.env.EPHEMERON_REFCOUNT;
  return mode === "snapshot" || mode === "check" ? mode : "auto";
}


export function createGc(options: GcOptions): GcFunction {
  const { realm, queue } = options;
  const collectV8 = v8GarbageCollector();
  const finishCompiles = backgroundCompilesFinisher();
  const probe = new HeapProbe(realm);
  // Only a vm context's roots are all in sight: a plain program's module-level bindings are not.
  const walk = options.walkHooks !== undefined && realm.vmContext ? new ReferenceWalk(realm, options.walkHooks) : undefined;
  const mode = refcountMode();

  function references(obj: object): RefcountResult {
    const start = performance.now();
    let reason = "no walk in this realm";
    if (walk !== undefined && mode !== "snapshot") {
      const outcome = walk.count(obj);
      if ("result" in outcome) {
        if (mode === "check") {
          const snap = probe.refcount(obj);
          // Counts only: where a holder has two global names the snapshot picks one by heap order.
          if (snap.count !== outcome.result.count) {
            throw new Error(`gc.refcount: the walk found ${JSON.stringify(outcome.result.referrers)}, the snapshot ${JSON.stringify(snap.referrers)}`);
          }
        }
        lastInfo = { path: "walk", ms: performance.now() - start, visited: outcome.visited, inspectorCalls: outcome.inspectorCalls };
        return outcome.result;
      }
      reason = outcome.fallback;
    } else if (mode === "snapshot") {
      reason = "EPHEMERON_REFCOUNT=snapshot";
    }
    const result = probe.refcount(obj);
    lastInfo = { path: "snapshot", reason, ms: performance.now() - start };
    return result;
  }
  /**
   * Rounds go on while callbacks run: a finalizer that lets go of the next object of a chain makes
   * more garbage, which CPython's reference counting frees at once, chain and all. The bound only
   * stops callbacks that make new finalizable garbage for ever.
   */
  const maxRounds = 100;
  const maxTicks = 10_000;

  /**
   * The collections under way, oldest first. A callback counts for the oldest: gc() calls that
   * overlap (`const a = gc(), b = gc()`, or a gc() in a callback) never count one callback twice,
   * and a gc() inside another's callbacks counts none, as CPython's gc.collect() does there.
   */
  const underWay: { count: number; flushing: boolean }[] = [];
  queue.onCounted = () => {
    if (underWay[0] !== undefined) underWay[0].count++;
  };
  // An interrupt that stopped a callback stopped the collection running it too, before its `finally`.
  queue.onFlushStopped = () => {
    for (const stopped of underWay.filter((collection) => collection.flushing)) {
      underWay.splice(underWay.indexOf(stopped), 1);
      queue.collecting--;
    }
  };

  async function collect(): Promise<number> {
    const mine = { count: 0, flushing: false };
    underWay.push(mine);
    queue.collecting++;
    try {
      // The host lets go of timers that are done but it has not seen end (a closed one): their callbacks' scopes may be garbage now.
      options.walkHooks?.pendingTimers?.();
      await macrotask(); // end the job: V8 drops its KeepDuringJob set
      for (let round = 0; round < maxRounds; round++) {
        const before = queue.fired;
        finishCompiles?.();
        collectV8(); // no arguments: a full Mark-Compact (options objects only scavenge on Node 20)
        for (let tick = 0; tick < maxTicks && queue.dueCount() > 0; tick++) await macrotask();
        mine.flushing = true;
        queue.flush();
        mine.flushing = false;
        // A second full collection at least: V8 frees ArrayBuffer contents in a concurrent sweep that
        // the next collection finishes, so gc.heap() after `await gc()` sees them gone.
        if (queue.fired === before && round > 0) break;
        await macrotask();
      }
    } finally {
      queue.collecting--;
      underWay.splice(underWay.indexOf(mine), 1);
      if (queue.pending > 0 && queue.collecting === 0) queue.flush();
    }
    return mine.count;
  }

  const checkObject = (obj: unknown, fn: string): void => {
    if ((typeof obj !== "object" && typeof obj !== "function") || obj === null) {
      throw new realm.TypeError(`gc.${fn}() argument must be an object, not '${typeName(obj)}'`);
    }
  };

  const gc = function gc(): Promise<number> {
    return withAwaitHint(collect());
  } as GcFunction;
  gc.collect = () => withAwaitHint(collect());
  gc.refcount = (obj: object): number => {
    checkObject(obj, "refcount");
    return references(obj).count;
  };
  gc.referrers = (obj: object): string[] => {
    checkObject(obj, "referrers");
    return references(obj).referrers;
  };
  gc.heap = (heapOptions: HeapOptions = {}): HeapReport => {
    const spaces = v8.getHeapSpaceStatistics();
    const known = [...spaces.map((space) => space.space_name), "array_buffers"];
    const unknown = heapOptions.spaces?.find((name) => !known.includes(name));
    if (unknown !== undefined) throw new realm.TypeError(`gc.heap(): no space '${unknown}'; the spaces are ${known.join(", ")}`);
    if (heapOptions.precision !== undefined && heapOptions.precision !== "MB" && heapOptions.precision !== "0.1MB") {
      throw new realm.TypeError(`gc.heap(): precision must be "MB" or "0.1MB", not ${JSON.stringify(heapOptions.precision)}`);
    }
    const names = options.classNames();
    // A notebook that declared no class has none to count: no heap snapshot (seconds on a large heap),
    // only the full collection the snapshot starts with, so that the figures leave out garbage alike.
    let classes: Record<string, number>;
    if (names !== undefined && names.length === 0) {
      v8GarbageCollector()();
      classes = {};
    } else {
      classes = probe.classCounts(names).classes;
    }
    if (names === undefined) {
      classes = Object.fromEntries(Object.entries(classes).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 15));
    }
    const stats = v8.getHeapStatistics();
    return makeHeapReport({
      usedHeapSize: stats.used_heap_size,
      totalHeapSize: stats.total_heap_size,
      heapSizeLimit: stats.heap_size_limit,
      spaces: v8.getHeapSpaceStatistics().map((space) => ({ name: space.space_name, used: space.space_used_size, size: space.space_size })),
      arrayBuffers: Math.max(0, process.memoryUsage().arrayBuffers - probeBufferBytes()),
      classes,
    }, heapOptions);
  };
  return gc;
}

/**
 * A collection's promise that, shown before it settled (`gc()` as a cell's last line, as CPython's
 * `gc.collect()` is written), says that it is to be awaited: the objects are still there then.
 */
function withAwaitHint(collection: Promise<number>): Promise<number> {
  Object.defineProperty(collection, inspect.custom, {
    value: (_depth: number, options: InspectOptions) => {
      const shown = inspect(collection, { ...options, customInspect: false });
      return shown.includes("<pending>") ? `${shown} (gc() collects asynchronously: \`await gc()\` waits for it, and gives its count)` : shown;
    },
  });
  return collection;
}
