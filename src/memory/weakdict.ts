/**
 * `WeakValueDictionary` and `WeakKeyDictionary`.
 *
 * Mirrors CPython's Lib/weakref.py: values (or keys) are held through weak
 * references (`KeyedRef`s for values, refs with a removal callback for keys), so
 * an entry vanishes when its object is collected, and each dictionary holds one
 * weak reference to itself (its removal callback's `selfref`), so
 * `getweakrefcount(new WeakValueDictionary())` is 1, as in CPython.
 *
 * Where JavaScript differs: the API is Map-like (`get/set/has/delete/clear/size`,
 * `keys/values/entries/forEach`, iteration) plus Python's `pop`, `setdefault`,
 * `update`, `copy`, `valuerefs`/`keyrefs`, `popitem`, and `get(key, default)`. No
 * `d | other` or `d |= other` (JavaScript has no operator overloading): `d.copy()`
 * then `.update(other)` is what CPython's `|` does. Keys compare by identity
 * (SameValueZero), as a Map's do, not by `__eq__`/`__hash__`. Iterating while
 * entries die is always safe: dead entries are skipped, never reported.
 * WeakKeyDictionary keeps its values in a WeakMap (an ephemeron), so a value
 * that refers to its own key does not keep that key alive.
 */
import { inspect } from "node:util";
import { className, type Ref, type WeakrefCore, type KeyedRef } from "./weakref.js";
import { typeName } from "./realm.js";

export interface WeakValueDictionary<K, V extends object> extends Iterable<[K, V]> {
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
  /** Removes and returns the value; throws a `KeyError` when missing and no default is given. */
  pop(key: K, ...fallback: [] | [V]): V;
  popitem(): [K, V];
  setdefault(key: K, value: V): V;
  update(other: Iterable<readonly [K, V]> | Record<string, V>): void;
  copy(): WeakValueDictionary<K, V>;
  /** The KeyedRefs this dictionary holds (each ref's `key` is the entry's key). */
  valuerefs(): KeyedRef<V, K>[];
}

export interface WeakValueDictionaryConstructor {
  new <K, V extends object>(entries?: Iterable<readonly [K, V]> | Record<string, V> | null): WeakValueDictionary<K, V>;
  readonly prototype: WeakValueDictionary<unknown, object>;
}

export interface WeakKeyDictionary<K extends object, V> extends Iterable<[K, V]> {
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
  /** The weak references to the keys. */
  keyrefs(): Ref<K>[];
}

export interface WeakKeyDictionaryConstructor {
  new <K extends object, V>(entries?: Iterable<readonly [K, V]> | null): WeakKeyDictionary<K, V>;
  readonly prototype: WeakKeyDictionary<object, unknown>;
}

function keyError(core: WeakrefCore, key: unknown): Error {
  const error = new core.realm.Error(inspect(key));
  error.name = "KeyError";
  return error;
}

/**
 * The pairs an update gives, checked as CPython's dict update checks them: something iterable (or,
 * for a WeakValueDictionary, a plain object's own entries) whose every element is a [key, value] pair.
 */
function* entriesOf<K, V>(core: WeakrefCore, other: unknown, objects: boolean): Generator<readonly [K, V]> {
  const iterable = typeof (other as Partial<Iterable<unknown>> | null)?.[Symbol.iterator] === "function";
  if (!iterable && !(objects && typeof other === "object" && other !== null)) {
    throw new core.realm.TypeError(`'${typeName(other)}' object is not iterable`);
  }
  let index = 0;
  for (const element of iterable ? (other as Iterable<unknown>) : Object.entries(other as object)) {
    if (typeof (element as Partial<Iterable<unknown>> | null)?.[Symbol.iterator] !== "function" || typeof element === "string") {
      throw new core.realm.TypeError(`dictionary update sequence element #${index} is a '${typeName(element)}', not a [key, value] pair`);
    }
    const pair = [...(element as Iterable<unknown>)];
    if (pair.length !== 2) {
      const error = new core.realm.Error(`dictionary update sequence element #${index} has length ${pair.length}; 2 is required`);
      error.name = "ValueError";
      throw error;
    }
    yield pair as unknown as readonly [K, V];
    index++;
  }
}

const LIVE = Symbol("live entries");

/**
 * Map-like iteration over the entries whose weak side is still alive, and popitem, for both
 * dictionaries: the mixin methods CPython's dictionaries get from their base class, whose name it
 * has, as the classes print it (`[class WeakValueDictionary extends MutableMapping]`).
 */
abstract class MutableMapping<K, V> {
  // A private field, not a parameter property: those are own properties a notebook would see (Object.keys, JSON.stringify).
  readonly #core: WeakrefCore;

  constructor(core: WeakrefCore) {
    this.#core = core;
  }

  /** The live entries, in insertion order; dead ones are skipped, so iterating while entries die is safe. */
  protected abstract [LIVE](): Generator<[K, V]>;

  abstract delete(key: K): boolean;

  /** Removes and returns the newest live entry: CPython pops its dict's last item. */
  popitem(): [K, V] {
    const newest = [...this[LIVE]()].at(-1);
    if (newest === undefined) throw keyError(this.#core, "popitem(): dictionary is empty");
    this.delete(newest[0]);
    return newest;
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this[LIVE]()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this[LIVE]()) yield value;
  }

  entries(): IterableIterator<[K, V]> {
    return this[LIVE]();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this[LIVE]();
  }

  forEach(fn: (value: V, key: K, dict: this) => void, thisArg?: unknown): void {
    for (const [key, value] of this[LIVE]()) fn.call(thisArg, value, key, this);
  }
}

export function makeWeakValueDictionary(core: WeakrefCore): WeakValueDictionaryConstructor {
  class WeakValueDictionary<K, V extends object> extends MutableMapping<K, V> {
    readonly #data = new Map<K, Ref<V>>();
    readonly #remove: (wr: Ref) => void;

    constructor(entries?: Iterable<readonly [K, V]> | Record<string, V> | null) {
      super(core);
      // CPython: `def remove(wr, selfref=ref(self), ...)`: the one weak reference to itself.
      const selfref = core.ref(this);
      this.#remove = (wr: Ref): void => {
        const self = selfref();
        if (self !== undefined) self.#discard(wr);
      };
      if (entries !== undefined && entries !== null) this.update(entries);
    }

    #discard(wr: Ref): void {
      const key = (wr as KeyedRef<V, K>).key;
      if ((this.#data.get(key) as Ref | undefined) === wr) this.#data.delete(key);
    }

    protected *[LIVE](): Generator<[K, V]> {
      for (const [key, wr] of this.#data) {
        const value = wr();
        if (value !== undefined) yield [key, value];
      }
    }

    get size(): number {
      let n = 0;
      for (const wr of this.#data.values()) if (wr() !== undefined) n++;
      return n;
    }

    get<D = undefined>(key: K, ...fallback: [] | [D]): V | D | undefined {
      const value = this.#data.get(key)?.();
      return value === undefined ? fallback[0] : value;
    }

    set(key: K, value: V): this {
      const old = this.#data.get(key);
      // A key that has a live value keeps its place, as a dict's and a Map's do (a loop that gives
      // every key a new value ends); one whose value died goes last, as CPython dropped it at death.
      if (old !== undefined && old() === undefined) this.#drop(key);
      else if (old !== undefined) core.cancelCallback(old);
      this.#data.set(key, core.internalRef(value, this.#remove, key) as unknown as Ref<V>);
      return this;
    }

    /** Forgets an entry and lets go of its KeyedRef at once, as CPython's dict does (getweakrefcount drops). */
    #drop(key: K): void {
      const wr = this.#data.get(key);
      if (wr === undefined) return;
      this.#data.delete(key);
      core.cancelCallback(wr);
    }

    has(key: K): boolean {
      return this.get(key) !== undefined;
    }

    delete(key: K): boolean {
      const alive = this.has(key);
      this.#drop(key);
      return alive;
    }

    clear(): void {
      for (const key of [...this.#data.keys()]) this.#drop(key);
    }

    pop(key: K, ...fallback: [] | [V]): V {
      const value = this.get(key);
      this.#drop(key);
      if (value !== undefined) return value;
      if (fallback.length > 0) return fallback[0] as V;
      throw keyError(core, key);
    }

    setdefault(key: K, value: V): V {
      const existing = this.get(key);
      if (existing !== undefined) return existing;
      this.set(key, value);
      return value;
    }

    update(other: Iterable<readonly [K, V]> | Record<string, V>): void {
      for (const [key, value] of entriesOf<K, V>(core, other, true)) this.set(key, value);
    }

    copy(): WeakValueDictionary<K, V> {
      return new WeakValueDictionary<K, V>(this[LIVE]());
    }

    valuerefs(): KeyedRef<V, K>[] {
      return [...this.#data.values()].filter((wr) => wr() !== undefined) as KeyedRef<V, K>[];
    }

    get [Symbol.toStringTag](): string {
      return "WeakValueDictionary";
    }

    [inspect.custom](): string {
      // A subclass prints its own name, as CPython's `"<%s at %#x>" % (self.__class__.__name__, id(self))`.
      return `<${className(this)} at #${core.id(this)}>`;
    }

    /** As CPython's str() of one: what `${dict}` and String(dict) show, as console.log does. */
    override toString(): string {
      return this[inspect.custom]();
    }
  }
  return WeakValueDictionary as WeakValueDictionaryConstructor;
}

export function makeWeakKeyDictionary(core: WeakrefCore): WeakKeyDictionaryConstructor {
  /**
   * One entry: the weak reference to its key, and its value. A class of its own, so that
   * gc.referrers names the value's holder `WeakKeyDictionaryEntry.value`, not `Object.value`.
   */
  class WeakKeyDictionaryEntry<V> {
    constructor(
      readonly ref: Ref,
      public value: V,
    ) {}
  }
  type Slot<V> = WeakKeyDictionaryEntry<V>;
  class WeakKeyDictionary<K extends object, V> extends MutableMapping<K, V> {
    /** Ephemeron table: the value lives exactly as long as its key. */
    readonly #slots = new WeakMap<K, Slot<V>>();
    /** Insertion order, through weak references to the keys. */
    readonly #order = new Set<Ref>();
    readonly #remove: (wr: Ref) => void;

    constructor(entries?: Iterable<readonly [K, V]> | null) {
      super(core);
      const selfref = core.ref(this);
      this.#remove = (wr: Ref): void => {
        const self = selfref();
        if (self !== undefined) self.#order.delete(wr);
      };
      if (entries !== undefined && entries !== null) this.update(entries);
    }

    protected *[LIVE](): Generator<[K, V]> {
      for (const wr of this.#order) {
        const key = wr() as K | undefined;
        if (key === undefined) continue;
        const slot = this.#slots.get(key);
        if (slot !== undefined) yield [key, slot.value];
      }
    }

    get size(): number {
      let n = 0;
      for (const wr of this.#order) if (wr() !== undefined) n++;
      return n;
    }

    get<D = undefined>(key: K, ...fallback: [] | [D]): V | D | undefined {
      // CPython looks a key up through a weak reference to it: a number is a TypeError, not a miss.
      core.checkReferent(key);
      const slot = this.#slots.get(key);
      return slot === undefined ? fallback[0] : slot.value;
    }

    set(key: K, value: V): this {
      const slot = this.#slots.get(key);
      if (slot !== undefined) {
        slot.value = value;
      } else {
        const wr = core.internalRef(key, this.#remove);
        this.#slots.set(key, new WeakKeyDictionaryEntry(wr, value));
        this.#order.add(wr);
      }
      return this;
    }

    has(key: K): boolean {
      return this.#slots.has(key);
    }

    delete(key: K): boolean {
      const slot = this.#slots.get(key);
      if (slot === undefined) return false;
      this.#slots.delete(key);
      this.#order.delete(slot.ref);
      core.cancelCallback(slot.ref);
      return true;
    }

    clear(): void {
      for (const [key] of [...this[LIVE]()]) this.delete(key);
      this.#order.clear();
    }

    pop(key: K, ...fallback: [] | [V]): V {
      core.checkReferent(key);
      const slot = this.#slots.get(key);
      if (slot !== undefined) {
        this.delete(key);
        return slot.value;
      }
      if (fallback.length > 0) return fallback[0] as V;
      throw keyError(core, key);
    }

    setdefault(key: K, value: V): V {
      const slot = this.#slots.get(key);
      if (slot !== undefined) return slot.value;
      this.set(key, value);
      return value;
    }

    update(other: Iterable<readonly [K, V]>): void {
      for (const [key, value] of entriesOf<K, V>(core, other, false)) this.set(key, value);
    }

    copy(): WeakKeyDictionary<K, V> {
      return new WeakKeyDictionary<K, V>(this[LIVE]());
    }

    keyrefs(): Ref<K>[] {
      return [...this.#order].filter((wr) => wr() !== undefined) as unknown as Ref<K>[];
    }

    get [Symbol.toStringTag](): string {
      return "WeakKeyDictionary";
    }

    [inspect.custom](): string {
      // A subclass prints its own name, as CPython's `"<%s at %#x>" % (self.__class__.__name__, id(self))`.
      return `<${className(this)} at #${core.id(this)}>`;
    }

    /** As CPython's str() of one: what `${dict}` and String(dict) show, as console.log does. */
    override toString(): string {
      return this[inspect.custom]();
    }
  }
  return WeakKeyDictionary as WeakKeyDictionaryConstructor;
}
