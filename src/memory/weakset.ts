/**
 * `weakref.WeakSet`: an iterable set of weakly held objects.
 *
 * Mirrors CPython's Lib/_weakrefset.py: members are held by refs with a removal
 * callback (so each member's `getweakrefcount` rises by one), the set holds one
 * weak reference to itself, and iterating while members die is safe.
 *
 * Where JavaScript differs: Set-like API (`add/has/delete/clear/size`, iteration,
 * `forEach`) plus Python's `discard`, `remove` (KeyError when missing), `pop`,
 * `update`, `copy` and set operations (`union`, `intersection`, `difference`,
 * `symmetric_difference`, their `_update` forms, `issubset`, `issuperset`,
 * `isdisjoint`), each taking one iterable as CPython's do. JavaScript has no
 * operator overloading: Python's `|`, `&`, `-`, `^`, `<=`, `>=` are those methods
 * here, and its `<`, `>`, `==` have none. Unlike JavaScript's own `WeakSet` it can be iterated and sized.
 */
import { inspect } from "node:util";
import { className, type Ref, type WeakrefCore } from "./weakref.js";
import { typeName } from "./realm.js";

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
  /** Other's members, read whole; what is not iterable is refused in CPython's words. */
  const iterated = <U>(other: Iterable<U>): U[] => {
    if (typeof (other as Partial<Iterable<U>> | null | undefined)?.[Symbol.iterator] !== "function") {
      throw new core.realm.TypeError(`'${typeName(other)}' object is not iterable`);
    }
    return [...other];
  };
  /** Other's members, each checked as CPython checks what it makes a weak reference to. */
  const referents = (other: Iterable<unknown>): object[] => {
    const items = iterated(other);
    for (const item of items) core.checkReferent(item);
    return items as object[];
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
      for (const value of iterated(values)) this.add(value);
    }

    /** A new set of this one's class, as CPython's `self.__class__(items)`: a subclass's copy or union is of the subclass. */
    #like<U extends object>(items: Iterable<U>): WeakSet<U> {
      const Class: unknown = this.constructor;
      if (typeof Class !== "function") return new WeakSet<U>(items);
      return new (Class as new (values: Iterable<U>) => WeakSet<U>)(items);
    }

    copy(): WeakSet<T> {
      return this.#like<T>(this.#live());
    }

    union<U extends object>(other: Iterable<U>): WeakSet<T | U> {
      return this.#like<T | U>([...this.#live(), ...iterated(other)]);
    }

    // CPython: `self.__class__(item for item in other if item in self)`, so other may hold numbers.
    intersection(other: Iterable<unknown>): WeakSet<T> {
      return this.#like<T>(iterated(other).filter((item): item is T => this.has(item as T)));
    }

    difference(other: Iterable<object>): WeakSet<T> {
      const result = this.copy();
      result.difference_update(other);
      return result;
    }

    symmetric_difference<U extends object>(other: Iterable<U>): WeakSet<T | U> {
      const result = this.#like<T | U>(this.#live());
      result.symmetric_difference_update(other);
      return result;
    }

    // The _update forms and the comparisons take a weak reference to each of other's members, as
    // CPython's do (`ref(item) for item in other`): a number there is a TypeError, before any change.
    difference_update(other: Iterable<object>): void {
      for (const item of referents(other)) this.delete(item as T);
    }

    intersection_update(other: Iterable<object>): void {
      const keep = new Set(referents(other));
      for (const value of [...this.#live()]) if (!keep.has(value)) this.delete(value);
    }

    symmetric_difference_update(other: Iterable<T>): void {
      // Read other whole first: it may be this set itself (which then ends empty, as in CPython).
      for (const item of new Set(referents(other))) {
        if (this.has(item as T)) this.delete(item as T);
        else this.add(item as T);
      }
    }

    issubset(other: Iterable<object>): boolean {
      const members = new Set(referents(other));
      for (const value of this.#live()) if (!members.has(value)) return false;
      return true;
    }

    issuperset(other: Iterable<object>): boolean {
      return referents(other).every((item) => this.has(item as T));
    }

    isdisjoint(other: Iterable<unknown>): boolean {
      return this.intersection(other).size === 0;
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
      // A subclass prints its own name, as the weak dictionaries' reprs do in CPython.
      return `<${className(this)} at #${core.id(this)}>`;
    }

    /** As CPython's str() of one: what `${dict}` and String(dict) show, as console.log does. */
    toString(): string {
      return this[inspect.custom]();
    }
  }
  return WeakSet as WeakSetConstructor;
}
