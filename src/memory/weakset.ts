/**
 * `weakref.WeakSet`: an iterable set of weakly held objects.
 *
 * Mirrors CPython's Lib/_weakrefset.py: members are held by refs with a removal
 * callback (so each member's `getweakrefcount` rises by one), the set holds one
 * weak reference to itself, and iterating while members die is safe.
 *
 * Where JavaScript differs: Set-like API (`add/has/delete/clear/size`, iteration,
 * `forEach`) plus Python's `discard`, `remove` (KeyError when missing), `pop`,
 * `update`, `copy`. Unlike JavaScript's own `WeakSet` it can be iterated and sized.
 */
import { inspect } from "node:util";
import type { Ref, WeakrefCore } from "./weakref.js";

export interface WeakSet<T extends object> extends Iterable<T> {
  readonly size: number;
  add(value: T): this;
  has(value: T): boolean;
  delete(value: T): boolean;
  discard(value: T): void;
  /** Like delete, but throws a `KeyError` when missing. */
  remove(value: T): void;
  /** Removes and returns some member; throws a `KeyError` when empty. */
  pop(): T;
  clear(): void;
  update(values: Iterable<T>): void;
  copy(): WeakSet<T>;
  values(): IterableIterator<T>;
  keys(): IterableIterator<T>;
  forEach(fn: (value: T, same: T, set: this) => void, thisArg?: unknown): void;
  [Symbol.iterator](): IterableIterator<T>;
}

export interface WeakSetConstructor {
  new <T extends object>(values?: Iterable<T> | null): WeakSet<T>;
  readonly prototype: WeakSet<object>;
}

export function makeWeakSet(core: WeakrefCore): WeakSetConstructor {
  const keyError = (what: unknown): Error => {
    const error = new core.realm.Error(inspect(what));
    error.name = "KeyError";
    return error;
  };
  class WeakSet<T extends object> {
    readonly #refs = new WeakMap<T, Ref>();
    readonly #order = new Set<Ref>();
    readonly #remove: (wr: Ref) => void;

    constructor(values?: Iterable<T> | null) {
      const selfref = core.ref(this);
      this.#remove = (wr: Ref): void => {
        const self = selfref();
        if (self !== undefined) self.#order.delete(wr);
      };
      if (values !== undefined && values !== null) this.update(values);
    }

    *#live(): Generator<T> {
      for (const wr of this.#order) {
        const value = wr() as T | undefined;
        if (value !== undefined) yield value;
      }
    }

    get size(): number {
      let n = 0;
      for (const wr of this.#order) if (wr() !== undefined) n++;
      return n;
    }

    add(value: T): this {
      if (!this.#refs.has(value)) {
        const wr = core.internalRef(value, this.#remove);
        this.#refs.set(value, wr);
        this.#order.add(wr);
      }
      return this;
    }

    has(value: T): boolean {
      return (typeof value === "object" || typeof value === "function") && value !== null && this.#refs.has(value);
    }

    delete(value: T): boolean {
      if (!this.has(value)) return false;
      const wr = this.#refs.get(value) as Ref;
      this.#refs.delete(value);
      this.#order.delete(wr);
      core.cancelCallback(wr);
      return true;
    }

    // Python's own methods look a member up through a weak reference to it, as CPython's do: a number is a TypeError.
    discard(value: T): void {
      core.checkReferent(value);
      this.delete(value);
    }

    remove(value: T): void {
      core.checkReferent(value);
      if (!this.delete(value)) throw keyError(value);
    }

    pop(): T {
      for (const value of this.#live()) {
        this.delete(value);
        return value;
      }
      throw keyError("pop from empty WeakSet");
    }

    clear(): void {
      for (const value of [...this.#live()]) this.delete(value);
      this.#order.clear();
    }

    update(values: Iterable<T>): void {
      for (const value of values) this.add(value);
    }

    copy(): WeakSet<T> {
      return new WeakSet<T>(this.#live());
    }

    values(): IterableIterator<T> {
      return this.#live();
    }

    keys(): IterableIterator<T> {
      return this.#live();
    }

    [Symbol.iterator](): IterableIterator<T> {
      return this.#live();
    }

    forEach(fn: (value: T, same: T, set: this) => void, thisArg?: unknown): void {
      for (const value of this.#live()) fn.call(thisArg, value, value, this);
    }

    get [Symbol.toStringTag](): string {
      return "WeakSet";
    }

    [inspect.custom](): string {
      return `<WeakSet at #${core.id(this)}>`;
    }

    /** As CPython's str() of one: what `${dict}` and String(dict) show, as console.log does. */
    toString(): string {
      return this[inspect.custom]();
    }
  }
  return WeakSet as WeakSetConstructor;
}
