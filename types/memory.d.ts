/**
 * Globals every notebook cell sees (no import needed): `weakref`, `gc`, `id`.
 * The same API is exported by the package: `import { weakref, gc, id } from "ephemeron"`
 * (typed from src/memory/index.ts).
 *
 * Self-contained on purpose: the cell type checker can load this file alone.
 * `gc` is declared by @types/node as `NodeJS.GCFunction | undefined` (V8's
 * --expose-gc function); this file merges ephemeron's members into that
 * interface instead of redeclaring the variable, which TypeScript would refuse.
 * When the cell checker loads @types/node, cells call `gc()` as the runtime
 * defines it; the checker should treat `gc` as defined (the runtime always
 * installs it).
 */

declare namespace EphemeronMemory {
  /**
   * A weak reference (CPython `weakref.ref`): call it to get the object, or
   * `undefined` once the object has been collected (CPython returns `None`).
   * Prints as `<weakref at #7; to 'GFG' at #3>` / `<weakref at #7; dead>`.
   */
  interface Ref<T extends object = object> {
    (): T | undefined;
    /** The callback given at creation; `undefined` when none or once it has run (CPython `__callback__`). */
    readonly __callback__: HeldCallback<T> | undefined;
  }

  /**
   * A ref's callback as `__callback__` shows it, its parameter checked as a method's is (both ways):
   * so a `Ref<Foo>` is a `Ref<object>`, and a class can extend `weakref.ref<Foo>` or a weak dictionary of Foo.
   */
  type HeldCallback<T extends object> = { bivarianceHack(ref: Ref<T>): void }["bivarianceHack"];

  type RefCallback<T extends object> = (ref: Ref<T>) => void;

  interface RefConstructor {
    /**
     * Weak reference to `obj` (an object or function; `ref(5)` throws
     * `TypeError: cannot create weak reference to 'number' object`). Refs without a
     * callback are shared: `ref(o) === ref(o)`, as in CPython. The callback runs
     * with the ref as argument when `obj` is collected (at `await gc()` or a
     * spontaneous GC), newest ref first; a ref that dies first gets no callback.
     */
    <T extends object>(obj: T, callback?: RefCallback<T> | null): Ref<T>;
    new <T extends object>(obj: T, callback?: RefCallback<T> | null): Ref<T>;
    readonly prototype: Ref<object>;
  }

  /** CPython `weakref.KeyedRef`: a ref with a `key` (what WeakValueDictionary stores). */
  interface KeyedRef<T extends object = object, K = unknown> extends Ref<T> {
    readonly key: K;
  }

  interface KeyedRefConstructor {
    new <T extends object, K>(obj: T, callback: RefCallback<T> | null | undefined, key: K): KeyedRef<T, K>;
    <T extends object, K>(obj: T, callback: RefCallback<T> | null | undefined, key: K): KeyedRef<T, K>;
    readonly prototype: KeyedRef<object, unknown>;
  }

  /**
   * CPython `weakref.WeakMethod`. JavaScript has no bound-method objects, so it
   * takes the object and the method's name; calling it returns the method bound
   * to the object, or `undefined` once the object is gone.
   */
  interface WeakMethod<F = (...args: never[]) => unknown> {
    (): F | undefined;
    readonly __callback__: ((ref: Ref<object>) => void) | undefined;
  }

  interface WeakMethodConstructor {
    new <T extends object, K extends keyof T & (string | symbol)>(obj: T, name: K, callback?: RefCallback<T> | null): WeakMethod<T[K]>;
    <T extends object, K extends keyof T & (string | symbol)>(obj: T, name: K, callback?: RefCallback<T> | null): WeakMethod<T[K]>;
    readonly prototype: object;
  }

  /**
   * CPython `weakref.finalize`: `f()` runs `fn(...args)` at most once and returns
   * its result; it also runs by itself when the object is collected.
   */
  interface Finalize<A extends unknown[] = unknown[], R = unknown> {
    (): R | undefined;
    /** True until it has run or been detached. */
    readonly alive: boolean;
    /** Run at exit, newest first, if still alive (default true). */
    atexit: boolean;
    /** Unregisters it; `[obj, fn, args]` if it was alive (CPython returns a tuple or None). */
    detach(): [object, (...args: A) => R, A] | undefined;
    /** `[obj, fn, args]` if alive, without unregistering. */
    peek(): [object, (...args: A) => R, A] | undefined;
  }

  interface FinalizeConstructor {
    <A extends unknown[], R>(obj: object, fn: (...args: A) => R, ...args: A): Finalize<A, R>;
    new <A extends unknown[], R>(obj: object, fn: (...args: A) => R, ...args: A): Finalize<A, R>;
    readonly prototype: object;
  }

  /** CPython `weakref.WeakValueDictionary`, Map-like; holds one weak reference to itself. */
  interface WeakValueDictionary<K, V extends object> extends Iterable<[K, V]> {
    readonly size: number;
    get(key: K): V | undefined;
    /** The value, or `fallback` when the key has none (CPython's `get(key, default)`). */
    get<D>(key: K, fallback: D): V | D;
    set(key: K, value: V): this;
    has(key: K): boolean;
    delete(key: K): boolean;
    clear(): void;
    keys(): IterableIterator<K>;
    values(): IterableIterator<V>;
    entries(): IterableIterator<[K, V]>;
    forEach(fn: (value: V, key: K, dict: this) => void, thisArg?: unknown): void;
    [Symbol.iterator](): IterableIterator<[K, V]>;
    /** Removes and returns the value; throws an Error named `KeyError` when missing and no default is given. */
    pop(key: K, ...fallback: [] | [V]): V;
    popitem(): [K, V];
    setdefault(key: K, value: V): V;
    update(other: Iterable<readonly [K, V]> | Record<string, V>): void;
    copy(): WeakValueDictionary<K, V>;
    valuerefs(): KeyedRef<V, K>[];
  }

  interface WeakValueDictionaryConstructor {
    new <K, V extends object>(entries?: Iterable<readonly [K, V]> | Record<string, V> | null): WeakValueDictionary<K, V>;
    readonly prototype: WeakValueDictionary<unknown, object>;
  }

  /** CPython `weakref.WeakKeyDictionary`, Map-like; keys compare by identity; holds one weak reference to itself. */
  interface WeakKeyDictionary<K extends object, V> extends Iterable<[K, V]> {
    readonly size: number;
    get(key: K): V | undefined;
    /** The value, or `fallback` when the key has none (CPython's `get(key, default)`). */
    get<D>(key: K, fallback: D): V | D;
    set(key: K, value: V): this;
    has(key: K): boolean;
    delete(key: K): boolean;
    clear(): void;
    keys(): IterableIterator<K>;
    values(): IterableIterator<V>;
    entries(): IterableIterator<[K, V]>;
    forEach(fn: (value: V, key: K, dict: this) => void, thisArg?: unknown): void;
    [Symbol.iterator](): IterableIterator<[K, V]>;
    pop(key: K, ...fallback: [] | [V]): V;
    popitem(): [K, V];
    setdefault(key: K, value: V): V;
    update(other: Iterable<readonly [K, V]>): void;
    copy(): WeakKeyDictionary<K, V>;
    keyrefs(): Ref<K>[];
  }

  interface WeakKeyDictionaryConstructor {
    new <K extends object, V>(entries?: Iterable<readonly [K, V]> | null): WeakKeyDictionary<K, V>;
    readonly prototype: WeakKeyDictionary<object, unknown>;
  }

  /** CPython `weakref.WeakSet`: unlike JavaScript's own WeakSet, iterable and sized. */
  interface WeakSet<T extends object> extends Iterable<T> {
    readonly size: number;
    add(value: T): this;
    has(value: T): boolean;
    delete(value: T): boolean;
    discard(value: T): void;
    /** Throws an Error named `KeyError` when missing. */
    remove(value: T): void;
    pop(): T;
    clear(): void;
    update(values: Iterable<T>): void;
    copy(): WeakSet<T>;
    /** A new WeakSet of this set's members and then other's (Python's `|`). */
    union<U extends object>(other: Iterable<U>): WeakSet<T | U>;
    /** A new WeakSet of the members of other that are in this set (Python's `&`; other may hold anything). */
    intersection(other: Iterable<unknown>): WeakSet<T>;
    /** A new WeakSet of this set's members that are not in other (Python's `-`). */
    difference(other: Iterable<object>): WeakSet<T>;
    /** A new WeakSet of the members of exactly one of the two (Python's `^`). */
    symmetric_difference<U extends object>(other: Iterable<U>): WeakSet<T | U>;
    difference_update(other: Iterable<object>): void;
    intersection_update(other: Iterable<object>): void;
    symmetric_difference_update(other: Iterable<T>): void;
    /** Every member is in other (Python's `<=`). */
    issubset(other: Iterable<object>): boolean;
    /** Every member of other is in this set (Python's `>=`). */
    issuperset(other: Iterable<object>): boolean;
    /** No member of other is in this set. */
    isdisjoint(other: Iterable<unknown>): boolean;
    values(): IterableIterator<T>;
    keys(): IterableIterator<T>;
    forEach(fn: (value: T, same: T, set: this) => void, thisArg?: unknown): void;
    [Symbol.iterator](): IterableIterator<T>;
  }

  interface WeakSetConstructor {
    new <T extends object>(values?: Iterable<T> | null): WeakSet<T>;
    readonly prototype: WeakSet<object>;
  }

  /** `instanceof` check for proxies (CPython `weakref.ProxyType` / `CallableProxyType`). */
  interface ProxyTypeCheck {
    [Symbol.hasInstance](value: unknown): boolean;
  }

  /** CPython's `weakref` module. */
  interface WeakrefModule {
    /**
     * `weakref.ref(obj, callback?)`: a weak reference to `obj`; call it to get `obj` back, or
     * `undefined` once it has been collected (CPython's `None`). Refs without a callback are
     * shared (`ref(o) === ref(o)`); the callback gets the dead ref, newest ref first.
     */
    readonly ref: RefConstructor;
    /** The same function as `ref`. */
    readonly ReferenceType: RefConstructor;
    /** `new weakref.KeyedRef(obj, callback, key)`: a ref that also carries a `key` (what WeakValueDictionary's entries are). */
    readonly KeyedRef: KeyedRefConstructor;
    /** `weakref.WeakMethod(obj, "name")`: a weak reference to a method; calling it gives the method bound to `obj`, or `undefined`. */
    readonly WeakMethod: WeakMethodConstructor;
    /**
     * A proxy that forwards every operation to `obj` and throws
     * `ReferenceError: weakly-referenced object no longer exists` once it is gone.
     * Callable when `obj` is a function; `Array.isArray` holds for array referents.
     * Shared when made without callback; has no weak references of its own.
     */
    proxy<T extends object>(obj: T, callback?: ((proxy: T) => void) | null): T;
    readonly ProxyType: ProxyTypeCheck;
    readonly CallableProxyType: ProxyTypeCheck;
    /** Both proxy types, as CPython's tuple `(ProxyType, CallableProxyType)`: `weakref.ProxyTypes.some((t) => x instanceof t)`. */
    readonly ProxyTypes: readonly [ProxyTypeCheck, ProxyTypeCheck];
    /** Number of live weak references and proxies to `obj` (0 for a proxy itself). */
    getweakrefcount(obj: unknown): number;
    /** The live weak references and proxies to `obj`, in CPython's order. */
    getweakrefs(obj: unknown): Array<Ref | object>;
    /** `new weakref.WeakValueDictionary(entries?)`: a Map-like dictionary whose entries go when their value is collected. */
    readonly WeakValueDictionary: WeakValueDictionaryConstructor;
    /** `new weakref.WeakKeyDictionary(entries?)`: a Map-like dictionary whose entries go when their key is collected. */
    readonly WeakKeyDictionary: WeakKeyDictionaryConstructor;
    /** `new weakref.WeakSet(values?)`: CPython's WeakSet, iterable and sized; members go when collected. */
    readonly WeakSet: WeakSetConstructor;
    /**
     * `weakref.finalize(obj, fn, ...args)`: runs `fn(...args)` once `obj` has been collected, or
     * when the handle is called, whichever comes first; `alive`, `peek()`, `detach()`, `atexit`.
     * Keep `obj` out of `args` and out of what `fn` captures, or it never goes.
     */
    readonly finalize: FinalizeConstructor;
  }

  interface HeapSpace {
    readonly name: string;
    readonly used: number;
    readonly size: number;
  }

  /** What `gc.heap(options)` shows. */
  interface HeapOptions {
    /** "MB": every figure in whole megabytes (the chart drawn from them), the same on every run. Default: tenths of a MB. */
    readonly precision?: "MB" | "0.1MB";
    /** Only these rows, in this order: V8 space names (`old_space`, `large_object_space`, …) and `array_buffers`; leaves out the heap totals. */
    readonly spaces?: readonly string[];
  }

  /** `gc.heap()`: displayed as a table and a bar chart (MIME bundle through `Symbol.for("Jupyter.display")`). */
  interface HeapReport {
    readonly usedHeapSize: number;
    readonly totalHeapSize: number;
    readonly heapSizeLimit: number;
    readonly spaces: readonly HeapSpace[];
    /** Bytes of ArrayBuffer and typed-array contents, kept outside V8's heap spaces. */
    readonly arrayBuffers: number;
    /** Live instances of each of the notebook's classes. */
    readonly classes: Readonly<Record<string, number>>;
  }
}

declare namespace NodeJS {
  /**
   * ephemeron's garbage collector (CPython's `gc` module): `await gc()` collects and runs every
   * due weakref callback and finalizer, in a fixed order, and resolves to their number;
   * `gc.refcount(obj)` counts the strong references to `obj` in the heap, `gc.referrers(obj)` names
   * them, `gc.heap()` shows what the heap holds.
   */
  interface GCFunction {
    /**
     * CPython `gc.collect()`, made deterministic: resolves once every object
     * reachable only weakly is gone and every due weakref callback, finalizer and
     * FinalizationRegistry callback has run (per object newest ref first;
     * registries in registration order), to the number of callbacks run.
     * Asynchronous, unlike CPython: V8 clears weak references only after the job ends.
     */
    (): Promise<number>;
    /** Same as `await gc()`. */
    collect(): Promise<number>;
    /**
     * Strong references to `obj` in the heap, from a V8 heap snapshot (CPython
     * `sys.getrefcount` without its +1 for the argument). Weak references,
     * WeakMap keys and the call itself do not count. Takes a snapshot: ~0.3 s.
     */
    refcount(obj: object): number;
    /** One line per holder of `obj` (CPython `gc.get_referrers`, as names): `x`, `holder.inner`, `arr[0]`, `Map entry (m)`, `closure of function f`. */
    referrers(obj: object): string[];
    /** Heap use per space and live objects per notebook class. */
    heap(options?: EphemeronMemory.HeapOptions): EphemeronMemory.HeapReport;
  }
}
