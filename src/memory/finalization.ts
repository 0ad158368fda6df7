/**
 * The queue that every weak-reference callback goes through, and the
 * `FinalizationRegistry` wrapper installed in the notebook's realm.
 *
 * Mirrors CPython's `handle_callbacks` (Objects/weakrefobject.c): when an object
 * dies, the callbacks of its weak references run newest first. V8 instead runs
 * FinalizationRegistry callbacks in platform tasks of its own, one registry per
 * task, in an order that varies from run to run. So every registration is made
 * through this module, which (1) knows which registrations are due (target dead,
 * callback not yet delivered: `dueCount()`), and (2) queues the callbacks V8
 * delivers and runs them sorted by a fixed key:
 *   group 0, weakref callbacks: referent order (first weak reference made to it), then newest ref first;
 *   group 1, user FinalizationRegistry callbacks: registration order.
 * Inside `gc()` the queue is flushed once nothing more is due; after a
 * spontaneous GC it is flushed in a microtask after V8's cleanup task.
 *
 * A callback that throws is reported on stderr like CPython's
 * "Exception ignored in: …" and does not stop the others (V8 would make it an
 * uncaught exception).
 */
import { inspect } from "node:util";
import type { Realm } from "./realm.js";

interface QueuedCallback {
  readonly group: 0 | 1;
  readonly primary: number;
  readonly secondary: number;
  /** Counted in gc()'s result (the user's callbacks, not the weak containers' own bookkeeping). */
  readonly counted: boolean;
  readonly run: () => void;
  /** What "Exception ignored in:" names. */
  readonly describe: () => string;
}

interface IndexEntry {
  readonly target: WeakRef<object>;
  /** The record held by the real registry; dead when that registry died (its callbacks never come). */
  readonly record: WeakRef<object> | undefined;
}

/** Reports an exception from a callback the way CPython's PyErr_WriteUnraisable does. */
export function reportIgnored(where: string, error: unknown): void {
  const text = error instanceof Object && "stack" in error && typeof error.stack === "string"
    ? error.stack
    : inspect(error);
  process.stderr.write(`Exception ignored in: ${where}\n${text}\n`);
}

export class CallbackQueue {
  private readonly queue: QueuedCallback[] = [];
  /** The sorted batch flush() is running: what a callback stopped by Runtime.terminateExecution left unrun stays here. */
  private batch: QueuedCallback[] = [];
  /** True while flush() runs callbacks; still true after an interrupt terminated one (no `finally` runs then). */
  private flushing = false;
  private readonly index = new Map<number, IndexEntry>();
  private nextSeq = 1;
  private flushScheduled = false;
  /** > 0 while gc() runs: it flushes itself, at its fixed point. */
  collecting = 0;
  /** Counted callbacks run so far. */
  fired = 0;
  /** Told of each counted callback as it runs (gc() credits it to a collection). */
  onCounted: (() => void) | undefined;
  /** Told when an interrupt has stopped a flush (gc() lets go of the collection that was running it). */
  onFlushStopped: (() => void) | undefined;

  /** A fresh sequence number (registration order). */
  seq(): number {
    return this.nextSeq++;
  }

  /** Tracks a registration so dueCount() can see when its target has died. */
  track(seq: number, target: object, record: object | undefined): void {
    this.index.set(seq, { target: new WeakRef(target), record: record === undefined ? undefined : new WeakRef(record) });
  }

  untrack(seq: number): void {
    this.index.delete(seq);
  }

  /** Registrations whose target is dead but whose callback V8 has not delivered yet. */
  dueCount(): number {
    let due = 0;
    for (const [seq, entry] of this.index) {
      if (entry.record !== undefined && entry.record.deref() === undefined) {
        this.index.delete(seq); // its registry died: V8 will never call back
      } else if (entry.target.deref() === undefined) {
        due++;
      }
    }
    return due;
  }

  /** Called from a real FinalizationRegistry cleanup callback. */
  deliver(seq: number, callback: QueuedCallback): void {
    this.index.delete(seq);
    this.queue.push(callback);
    this.scheduleFlush();
  }

  /** A registration whose callback turned out not to be due (its weakref died first). */
  discard(seq: number): void {
    this.index.delete(seq);
  }

  /** The live registrations' records (a FinalizationRegistry's held values), for gc.refcount's walk. */
  liveRecords(): object[] {
    const records: object[] = [];
    for (const entry of this.index.values()) {
      const record = entry.record?.deref();
      if (record !== undefined) records.push(record);
    }
    return records;
  }

  get pending(): number {
    return this.queue.length + this.batch.length;
  }

  /**
   * After Runtime.terminateExecution stopped the main thread's JavaScript (an interrupt): if that was
   * a callback, its flush, and the gc() running it, ended without their `finally`. The state they
   * would have restored is restored; the batch's other callbacks run at the next flush (a collection,
   * a delivery, or the end of the next cell: settle()).
   */
  recoverFromTermination(): void {
    if (!this.flushing) return;
    this.flushing = false;
    this.onFlushStopped?.();
  }

  /**
   * Waits, a macrotask at a time and `limitMs` at most, while a callback is due that V8 has not
   * delivered yet: after a collection a cell caused without `await gc()` (gc.heap(), a heap
   * snapshot), its callbacks then run, and print, before the cell ends rather than after it.
   */
  async settle(limitMs: number): Promise<void> {
    if (this.collecting === 0 && this.pending > 0) this.flush();
    if (this.index.size === 0) return;
    const deadline = Date.now() + limitMs;
    while (this.collecting === 0 && this.dueCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  }

  private scheduleFlush(): void {
    if (this.collecting > 0 || this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      if (this.collecting === 0) this.flush();
    });
  }

  /** Runs the queued callbacks in the fixed order. Returns how many counted ones ran. */
  flush(): number {
    let ran = 0;
    this.flushing = true;
    for (;;) {
      if (this.batch.length === 0) {
        if (this.queue.length === 0) break;
        this.batch = this.queue.splice(0, this.queue.length);
        this.batch.sort((a, b) => a.group - b.group || a.primary - b.primary || a.secondary - b.secondary);
      }
      const cb = this.batch.shift()!;
      if (cb.counted) {
        ran++;
        this.fired++;
        this.onCounted?.();
      }
      try {
        cb.run();
      } catch (error) {
        reportIgnored(cb.describe(), error);
      }
    }
    this.flushing = false;
    return ran;
  }
}

/** The internal registry behind weakref callbacks: one, for the life of the API. */
export class WeakrefCallbacks {
  private readonly registry: FinalizationRegistry<number>;
  private readonly pending = new Map<number, () => QueuedCallback | undefined>();

  constructor(private readonly queue: CallbackQueue) {
    this.registry = new FinalizationRegistry<number>((seq) => {
      const make = this.pending.get(seq);
      this.pending.delete(seq);
      const cb = make?.();
      if (cb === undefined) this.queue.discard(seq);
      else this.queue.deliver(seq, cb);
    });
  }

  /**
   * Registers `target`; when it dies, `make()` builds the callback to queue (or
   * undefined when it is no longer wanted, e.g. the weakref died first).
   * `make` must not hold `target` strongly.
   */
  register(target: object, make: () => QueuedCallback | undefined): number {
    const seq = this.queue.seq();
    this.pending.set(seq, make);
    this.queue.track(seq, target, undefined);
    this.registry.register(target, seq, make);
    return seq;
  }

  unregister(seq: number): void {
    const make = this.pending.get(seq);
    if (make === undefined) return;
    this.pending.delete(seq);
    this.registry.unregister(make);
    this.queue.untrack(seq);
  }
}

export type { QueuedCallback };

/**
 * The record a wrapped registry hands to its real registry for one registration. A class, so that
 * gc.referrers names a held value's holder `FinalizationRegistryEntry.held`, not `Object.held`.
 */
class FinalizationRegistryEntry {
  constructor(
    readonly seq: number,
    readonly held: unknown,
  ) {}
}

/**
 * Builds the `FinalizationRegistry` class installed in a realm: the standard API
 * (`register`, `unregister`), delivering through the queue in registration order.
 */
export function makeFinalizationRegistryClass(realm: Realm, queue: CallbackQueue): FinalizationRegistryConstructor {
  const Real = realm.FinalizationRegistry;

  class FinalizationRegistryWrapper<T> {
    readonly #real: FinalizationRegistry<FinalizationRegistryEntry>;
    readonly #cleanup: (held: T) => void;
    readonly #tokens = new WeakMap<object, Set<number>>();

    constructor(cleanup: (held: T) => void) {
      if (typeof cleanup !== "function") {
        throw new realm.TypeError("FinalizationRegistry: cleanup must be callable");
      }
      this.#cleanup = cleanup;
      const fn = cleanup;
      this.#real = new Real((registration: FinalizationRegistryEntry) => {
        queue.deliver(registration.seq, {
          group: 1,
          primary: registration.seq,
          secondary: 0,
          counted: true,
          run: () => fn(registration.held as T),
          describe: () => `<FinalizationRegistry callback ${fn.name || "(anonymous)"}>`,
        });
      });
    }

    /** V8's TypeError for a method called on what is no registry (`Cannot read private member #real…` otherwise). */
    static check(self: unknown, method: string): void {
      if (typeof self === "object" && self !== null && #real in self) return;
      const shown = (typeof self === "object" && self !== null) || typeof self === "function" ? `#<${(self as { constructor?: { name?: string } }).constructor?.name || "Object"}>` : String(self);
      throw new realm.TypeError(`Method FinalizationRegistry.prototype.${method} called on incompatible receiver ${shown}`);
    }

    register(target: object, held: T, token?: object): void {
      FinalizationRegistryWrapper.check(this, "register");
      // V8 sees the entry as the held value, never the target: its own check is made here.
      if (Object.is(target, held) && ((typeof target === "object" && target !== null) || typeof target === "function")) {
        throw new realm.TypeError("FinalizationRegistry.prototype.register: target and holdings must not be same");
      }
      const seq = queue.seq();
      const registration = new FinalizationRegistryEntry(seq, held);
      // Throws the realm's own TypeError for a bad target or token.
      if (token === undefined) this.#real.register(target, registration);
      else this.#real.register(target, registration, token);
      queue.track(seq, target, registration);
      if (token !== undefined) {
        let seqs = this.#tokens.get(token);
        if (seqs === undefined) this.#tokens.set(token, (seqs = new Set()));
        seqs.add(seq);
      }
    }

    unregister(token: object): boolean {
      FinalizationRegistryWrapper.check(this, "unregister");
      const removed = this.#real.unregister(token);
      const seqs = this.#tokens.get(token);
      if (seqs !== undefined) {
        for (const seq of seqs) queue.untrack(seq);
        this.#tokens.delete(token);
      }
      return removed;
    }

    get [Symbol.toStringTag](): string {
      return "FinalizationRegistry";
    }
  }
  // A class cannot be called without `new`, but says so by its own name: this function says V8's words.
  const FinalizationRegistry = function FinalizationRegistry(this: unknown, cleanup: (held: unknown) => void): object {
    if (new.target === undefined) throw new realm.TypeError("Constructor FinalizationRegistry requires 'new'");
    return Reflect.construct(FinalizationRegistryWrapper, [cleanup], new.target) as object;
  };
  FinalizationRegistry.prototype = FinalizationRegistryWrapper.prototype;
  Object.defineProperty(FinalizationRegistryWrapper.prototype, "constructor", { value: FinalizationRegistry, writable: true, configurable: true });
  Object.setPrototypeOf(FinalizationRegistry, realm.FunctionPrototype);
  return FinalizationRegistry as unknown as FinalizationRegistryConstructor;
}
