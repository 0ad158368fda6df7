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
 * - `gc.refcount(obj)` counts strong references found in a heap snapshot (no +1
 *   for the call's argument) and costs a snapshot (~0.2–0.5 s).
 */
import v8 from "node:v8";
import vm from "node:vm";
import type { CallbackQueue } from "./finalization.js";
import { HeapProbe, probeBufferBytes } from "./heap-probe.js";
import { makeHeapReport, type HeapOptions, type HeapReport } from "./heap-report.js";
import { typeName, type Realm } from "./realm.js";

export interface GcFunction {
  /** Same as `gc.collect()`. */
  (): Promise<number>;
  /**
   * Full, deterministic collection: resolves once every object reachable only
   * weakly is gone and every due callback has run, to the number of callbacks run.
   */
  collect(): Promise<number>;
  /** Number of strong references to `obj` in the heap (from a heap snapshot). */
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

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface GcOptions {
  readonly realm: Realm;
  readonly queue: CallbackQueue;
  /** Names of the notebook's classes, for `gc.heap()` (undefined: the most common classes). */
  readonly classNames: () => readonly string[] | undefined;
}

export function createGc(options: GcOptions): GcFunction {
  const { realm, queue } = options;
  const collectV8 = v8GarbageCollector();
  const probe = new HeapProbe(realm);
  const maxRounds = 4;
  const maxTicks = 10_000;

  async function collect(): Promise<number> {
    const start = queue.fired;
    queue.collecting++;
    try {
      await macrotask(); // end the job: V8 drops its KeepDuringJob set
      for (let round = 0; round < maxRounds; round++) {
        const before = queue.fired;
        collectV8(); // no arguments: a full Mark-Compact (options objects only scavenge on Node 20)
        for (let tick = 0; tick < maxTicks && queue.dueCount() > 0; tick++) await macrotask();
        queue.flush();
        // A second full collection at least: V8 frees ArrayBuffer contents in a concurrent sweep that
        // the next collection finishes, so gc.heap() after `await gc()` sees them gone.
        if (queue.fired === before && round > 0) break;
        await macrotask();
      }
    } finally {
      queue.collecting--;
      if (queue.pending > 0 && queue.collecting === 0) queue.flush();
    }
    return queue.fired - start;
  }

  const checkObject = (obj: unknown, fn: string): void => {
    if ((typeof obj !== "object" && typeof obj !== "function") || obj === null) {
      throw new realm.TypeError(`gc.${fn}() argument must be an object, not '${typeName(obj)}'`);
    }
  };

  const gc = function gc(): Promise<number> {
    return collect();
  } as GcFunction;
  gc.collect = collect;
  gc.refcount = (obj: object): number => {
    checkObject(obj, "refcount");
    return probe.refcount(obj).count;
  };
  gc.referrers = (obj: object): string[] => {
    checkObject(obj, "referrers");
    return probe.refcount(obj).referrers;
  };
  gc.heap = (heapOptions: HeapOptions = {}): HeapReport => {
    const names = options.classNames();
    const counted = probe.classCounts(names);
    let classes = counted.classes;
    if (names === undefined) {
      classes = Object.fromEntries(Object.entries(classes).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 15));
    }
    const stats = v8.getHeapStatistics();
    return makeHeapReport({
      usedHeapSize: stats.used_heap_size,
      totalHeapSize: stats.total_heap_size,
      heapSizeLimit: stats.heap_size_limit,
      spaces: v8.getHeapSpaceStatistics().map((s) => ({ name: s.space_name, used: s.space_used_size, size: s.space_size })),
      arrayBuffers: Math.max(0, process.memoryUsage().arrayBuffers - probeBufferBytes()),
      classes,
    }, heapOptions);
  };
  return gc;
}
