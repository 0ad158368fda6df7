/**
 * `weakref.ref`, `weakref.proxy`, `getweakrefcount`, `getweakrefs`, `KeyedRef`,
 * `WeakMethod` and `finalize`.
 *
 * Mirrors CPython's `weakref` module (Lib/weakref.py, Objects/weakrefobject.c):
 * callable refs, shared callback-less refs and proxies, callbacks that receive
 * the ref and run newest first, no callback for a ref that died before its
 * referent, `getweakrefs` in CPython's list order (basic ref, basic proxy, then
 * the others newest first), proxies that forward every operation and raise once
 * the referent is gone, and the same error messages.
 *
 * Where JavaScript differs:
 * - A dead ref returns `undefined`, not `None`. Refs have no `==`/hash semantics.
 * - Referents die, and callbacks run, at `await gc()` or at a spontaneous GC,
 *   never at the moment the last strong reference goes away.
 * - Only objects and functions can be referenced (`ref(5)` names the JS type).
 * - A callback that cannot be called is refused when the ref is made (`ref(o, 5)`, `finalize(o, 5)`:
 *   TypeError); CPython takes it and reports "Exception ignored" only when the object dies.
 * - A ref that only its own referent keeps alive (`o.r = ref(o, cb)`, or a ref held by an object
 *   that o owns) dies in the same collection as o and gets no callback: a tracing collector cannot
 *   tell that o went first, and the ref the callback would receive is gone. CPython frees o first
 *   (its count reaches 0 while it still holds the ref) and calls back. `finalize(o, fn)` runs in
 *   both: this module keeps the finalizer alive.
 * - `WeakMethod(obj, "name")` takes the object and the method's name, since
 *   JavaScript has no bound-method objects; calling it returns `obj.name` bound to obj.
 * - `finalize(...).detach()`/`peek()` return `[obj, fn, args]` or `undefined`.
 * - A method a proxy's referent inherits (from its class, or Map's, Date's…)
 *   comes bound to the referent, as Python's proxy gives a bound method: it sees
 *   the real object as `this` (its private fields, a Map's entries). A function
 *   stored on the object itself comes as it is, as in Python.
 */
import { inspect } from "node:util";
import { reportIgnored, type CallbackQueue, type QueuedCallback, WeakrefCallbacks } from "./finalization.js";
import type { IdFunction } from "./id.js";
import { typeName, type Realm } from "./realm.js";

/** A weak reference: call it to get the object, or `undefined` once it has been collected. */
export interface Ref<T extends object = object> {
  (): T | undefined;
  /** The callback given at creation; `undefined` when none was given or once it has run. */
  readonly __callback__: HeldCallback<T> | undefined;
}

/**
 * A ref's callback as `__callback__` shows it, its parameter checked as a method's is (both ways):
 * so a `Ref<Foo>` is a `Ref<object>`, and a class can extend `weakref.ref<Foo>` or a weak dictionary of Foo.
 */
type HeldCallback<T extends object> = { bivarianceHack(ref: Ref<T>): void }["bivarianceHack"];

export type RefCallback<T extends object> = (ref: Ref<T>) => void;

export interface RefConstructor {
  <T extends object>(obj: T, callback?: RefCallback<T> | null): Ref<T>;
  new <T extends object>(obj: T, callback?: RefCallback<T> | null): Ref<T>;
  readonly prototype: Ref<object>;
}

/** A ref that carries a key (what WeakValueDictionary stores), as CPython's `weakref.KeyedRef`. */
export interface KeyedRef<T extends object = object, K = unknown> extends Ref<T> {
  readonly key: K;
}

export interface KeyedRefConstructor {
  new <T extends object, K>(obj: T, callback: RefCallback<T> | null | undefined, key: K): KeyedRef<T, K>;
  <T extends object, K>(obj: T, callback: RefCallback<T> | null | undefined, key: K): KeyedRef<T, K>;
  readonly prototype: KeyedRef<object, unknown>;
}

/** A weak reference to a method: calling it gives the method bound to its object, or `undefined`. */
export interface WeakMethod<F extends (...args: never[]) => unknown = (...args: never[]) => unknown> {
  (): F | undefined;
  readonly __callback__: ((ref: Ref<object>) => void) | undefined;
}

export interface WeakMethodConstructor {
  new <T extends object, K extends keyof T & (string | symbol)>(obj: T, name: K, callback?: RefCallback<T> | null): WeakMethod<T[K] extends (...args: never[]) => unknown ? T[K] : never>;
  <T extends object, K extends keyof T & (string | symbol)>(obj: T, name: K, callback?: RefCallback<T> | null): WeakMethod<T[K] extends (...args: never[]) => unknown ? T[K] : never>;
  readonly prototype: object;
}

export type ProxyOf<T extends object> = T;

/** A finalizer: `f()` runs it at most once, and it runs by itself when the object is collected. */
export interface Finalize<A extends unknown[] = unknown[], R = unknown> {
  (): R | undefined;
  /** True until it has run or been detached. */
  readonly alive: boolean;
  /** Run at exit (newest first) if still alive. Default true. */
  atexit: boolean;
  /** Unregisters it; returns `[obj, fn, args]` if it was alive. */
  detach(): [object, (...args: A) => R, A] | undefined;
  /** Returns `[obj, fn, args]` if alive, without unregistering. */
  peek(): [object, (...args: A) => R, A] | undefined;
}

export interface FinalizeConstructor {
  <A extends unknown[], R>(obj: object, fn: (...args: A) => R, ...args: A): Finalize<A, R>;
  new <A extends unknown[], R>(obj: object, fn: (...args: A) => R, ...args: A): Finalize<A, R>;
  readonly prototype: object;
}

/** `instanceof` checks for proxies (a proxy forwards getPrototypeOf to its referent). */
export interface ProxyTypeCheck {
  [Symbol.hasInstance](value: unknown): boolean;
}

interface TargetInfo {
  /** Order of the first weak reference to this object: the callback sort key. */
  readonly order: number;
  basicRef: WeakRef<Ref> | undefined;
  basicProxy: WeakRef<object> | undefined;
  /** Every other ref and proxy, newest first. */
  others: WeakRef<object>[];
}

/**
 * What the runtime keeps for one ref: a class named as CPython's type (a proxy's below), its callback
 * in a field named as CPython's attribute, so that gc.referrers names what holds a callback
 * `weakref.__callback__` (CPython's gc.get_referrers gives the weakref), not `Object.callback`.
 */
class weakref {
  /** The pending callback's registrations: on the referent, and on a WeakMethod's function. */
  registrations: number[] = [];

  constructor(
    readonly wr: WeakRef<object>,
    public __callback__: ((ref: never) => unknown) | undefined,
    readonly seq: number,
    /** A weak container's own bookkeeping ref: its callback is not counted by gc(). */
    readonly internal: boolean,
    readonly method: WeakRef<(...args: unknown[]) => unknown> | undefined,
    /** A KeyedRef's key, held here (read through `KeyedRef.prototype.key`), so gc.referrers names its holder `weakref.key`, not the ref's own closure. */
    readonly key: unknown,
  ) {}

  get kind(): "ref" | "proxy" {
    return "ref";
  }
}

class weakproxy extends weakref {
  override get kind(): "ref" | "proxy" {
    return "proxy";
  }
}

/**
 * The arguments a finalizer keeps for its function: an array of a class of its own, so that
 * gc.referrers names what `finalize(obj, fn, obj)` (which keeps obj alive for ever) holds it by.
 */
class FinalizeArguments extends Array<unknown> {}

/**
 * What a finalizer keeps, as CPython's `finalize._Info`: a class of its own, so that gc.referrers
 * names what holds the finalizer's function `FinalizeInfo.fn`, not `Object.fn`.
 */
class FinalizeInfo {
  constructor(
    readonly ref: Ref,
    readonly fn: (...args: unknown[]) => unknown,
    readonly args: unknown[],
    public atexit: boolean,
    readonly index: number,
  ) {}
}

interface RefOptions {
  readonly proto: object;
  readonly callback: ((ref: never) => unknown) | undefined;
  readonly internal: boolean;
  readonly shareable: boolean;
  readonly method?: WeakRef<(...args: unknown[]) => unknown>;
  readonly key?: unknown;
}

const DEAD_PROXY = "weakly-referenced object no longer exists";

/** The class name shown in reprs: CPython's `type(obj).__name__`. */
export function className(obj: object): string {
  try {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto === null) return "Object";
    const ctor: unknown = (proto as { constructor?: unknown }).constructor;
    if (typeof ctor === "function" && ctor.name !== "") return ctor.name;
  } catch {
    // a user Proxy whose trap throws
  }
  return typeof obj === "function" ? "Function" : "Object";
}

/** The weak-reference machinery of one realm. */
export class WeakrefCore {
  readonly callbacks: WeakrefCallbacks;
  private readonly infos = new WeakMap<object, TargetInfo>();
  private readonly refStates = new WeakMap<object, weakref>();
  private readonly proxyStates = new WeakMap<object, weakref>();
  private readonly finalizers = new Map<object, FinalizeInfo>();
  private nextOrder = 1;
  private nextRefSeq = 1;
  private nextFinalizeIndex = 1;
  readonly ref: RefConstructor;
  readonly KeyedRef: KeyedRefConstructor;
  readonly WeakMethod: WeakMethodConstructor;
  readonly finalize: FinalizeConstructor;
  readonly ProxyType: ProxyTypeCheck;
  readonly CallableProxyType: ProxyTypeCheck;
  private readonly dummyProto: object;

  constructor(readonly realm: Realm, readonly queue: CallbackQueue, readonly id: IdFunction) {
    this.callbacks = new WeakrefCallbacks(queue);
    this.ref = this.makeRefConstructor();
    this.KeyedRef = this.makeKeyedRefConstructor();
    this.WeakMethod = this.makeWeakMethodConstructor();
    this.finalize = this.makeFinalizeConstructor();
    const core: WeakrefCore = this;
    // Printed (and in a string) as CPython's classes: `<class 'weakref.ProxyType'>`.
    const proxyType = (name: string, test: (value: unknown) => boolean): ProxyTypeCheck => {
      const repr = (): string => `<class 'weakref.${name}'>`;
      return Object.defineProperties({} as ProxyTypeCheck, {
        [Symbol.hasInstance]: { value: test },
        [inspect.custom]: { value: repr },
        toString: { value: repr },
      });
    };
    this.ProxyType = proxyType("ProxyType", (value) => core.isProxy(value) && typeof value !== "function");
    this.CallableProxyType = proxyType("CallableProxyType", (value) => core.isProxy(value) && typeof value === "function");
    this.dummyProto = Object.create(null, {
      [inspect.custom]: {
        configurable: true,
        value(this: object): string {
          return core.formatProxy(this);
        },
      },
    }) as object;
  }

  isProxy(value: unknown): value is object {
    return (typeof value === "object" || typeof value === "function") && value !== null && this.proxyStates.has(value);
  }

  /** The callback a ref or proxy holds (for gc.refcount's walk: held strongly, as CPython's are). */
  callbackOf(handle: object): unknown {
    return (this.refStates.get(handle) ?? this.proxyStates.get(handle))?.__callback__;
  }

  /** The live finalizers, which this module keeps alive (for gc.refcount's walk). */
  get finalizerTable(): object {
    return this.finalizers;
  }

  isRef(value: unknown): value is Ref {
    return typeof value === "function" && this.refStates.has(value);
  }

  /** Throws CPython's TypeError for what cannot be weakly referenced (a weak dictionary's key too: `wkd.get(5)`). */
  checkReferent(obj: unknown): asserts obj is object {
    if ((typeof obj !== "object" && typeof obj !== "function") || obj === null) {
      throw new this.realm.TypeError(`cannot create weak reference to '${typeName(obj)}' object`);
    }
    if (this.proxyStates.has(obj)) {
      // CPython's words name the proxy's type, which depends on whether its referent is callable.
      const type = typeof obj === "function" ? "weakref.CallableProxyType" : "weakref.ProxyType";
      throw new this.realm.TypeError(`cannot create weak reference to '${type}' object`);
    }
    if (this.refStates.has(obj)) {
      throw new this.realm.TypeError("cannot create weak reference to 'weakref.ReferenceType' object");
    }
  }

  private checkCallback(callback: unknown): ((ref: never) => unknown) | undefined {
    if (callback === undefined || callback === null) return undefined;
    if (typeof callback !== "function") {
      throw new this.realm.TypeError(`callback must be callable, not '${typeName(callback)}'`);
    }
    return callback as (ref: never) => unknown;
  }

  private infoFor(obj: object): TargetInfo {
    let info = this.infos.get(obj);
    if (info === undefined) {
      info = { order: this.nextOrder++, basicRef: undefined, basicProxy: undefined, others: [] };
      this.infos.set(obj, info);
    }
    return info;
  }

  /** Registers the callback of a new ref/proxy with the queue. */
  private registerCallback(obj: object, info: TargetInfo, handle: object, state: weakref): void {
    if (state.__callback__ === undefined) return;
    const handleRef = new WeakRef(handle);
    const states = state.kind === "ref" ? this.refStates : this.proxyStates;
    const order = info.order;
    const seq = state.seq;
    // Holds neither the referent nor the handle: a ref that dies first gets no callback.
    const make = (): QueuedCallback | undefined => {
      const h = handleRef.deref();
      if (h === undefined) return undefined;
      const st = states.get(h);
      const cb = st?.__callback__;
      if (st === undefined || cb === undefined) return undefined;
      st.__callback__ = undefined;
      for (const other of st.registrations) this.callbacks.unregister(other);
      st.registrations = [];
      return {
        group: 0,
        primary: order,
        secondary: -seq,
        counted: !st.internal,
        run: () => {
          (cb as (ref: object) => unknown)(h);
        },
        // What failed is the callback, named as CPython names it: `<function boom at #4>`, or a
        // finalizer's own repr (`<finalize object at #3; dead>`).
        describe: () => (inspect.custom in cb ? inspect(cb) : `<function ${cb.name || "<lambda>"} at #${this.id(cb)}>`),
      };
    };
    state.registrations = [this.callbacks.register(obj, make)];
    // CPython's WeakMethod also dies, and calls back (once), when its function dies first.
    const method = state.method?.deref();
    if (method !== undefined) state.registrations.push(this.callbacks.register(method, make));
  }

  /**
   * Cancels a pending callback and lets go of the ref: a finalizer that ran or was detached, an
   * entry deleted from a weak dictionary or set. CPython drops such a ref at once, so
   * getweakrefcount/getweakrefs no longer count it (here it would have lingered until collected).
   */
  cancelCallback(handle: object): void {
    const st = this.refStates.get(handle) ?? this.proxyStates.get(handle);
    if (st !== undefined) {
      for (const registration of st.registrations) this.callbacks.unregister(registration);
      st.registrations = [];
      st.__callback__ = undefined;
      const target = st.wr.deref();
      const info = target === undefined ? undefined : this.infos.get(target);
      if (info !== undefined) info.others = info.others.filter((other) => other.deref() !== handle);
    }
  }

  makeRef(obj: unknown, options: RefOptions): Ref {
    this.checkReferent(obj);
    const callback = options.callback;
    const info = this.infoFor(obj);
    if (options.shareable && callback === undefined) {
      const existing = info.basicRef?.deref();
      if (existing !== undefined) return existing;
    }
    const state = new weakref(new WeakRef(obj), callback, this.nextRefSeq++, options.internal, options.method, options.key);
    const realm = this.realm;
    const r = (...args: unknown[]): object | undefined => {
      // CPython's ref takes no argument: `r(x)`, meant as a call of the referent (or of a WeakMethod's method), is a TypeError, not a silent r().
      if (args.length > 0) throw new realm.TypeError(`weakref expected 0 arguments, got ${args.length}`);
      const target = state.wr.deref();
      if (state.method === undefined || target === undefined) return target;
      const fn = state.method.deref();
      return fn === undefined ? undefined : fn.bind(target);
    };
    Object.setPrototypeOf(r, options.proto);
    this.refStates.set(r, state);
    const handle = r as unknown as Ref;
    if (options.shareable && callback === undefined) info.basicRef = new WeakRef(handle);
    else info.others.unshift(new WeakRef(handle));
    this.registerCallback(obj, info, handle, state);
    return handle;
  }

  makeProxy(obj: unknown, callbackArg: unknown): object {
    this.checkReferent(obj);
    const callback = this.checkCallback(callbackArg);
    const info = this.infoFor(obj);
    if (callback === undefined) {
      const existing = info.basicProxy?.deref();
      if (existing !== undefined) return existing;
    }
    const state: weakref = new weakproxy(new WeakRef(obj), callback, this.nextRefSeq++, false, undefined, undefined);
    const realm = this.realm;
    const dummy: object = Array.isArray(obj)
      ? new realm.Array()
      : typeof obj === "function"
        ? function weakproxy(): void {}.bind(null)
        : {};
    Object.setPrototypeOf(dummy, this.dummyProto);
    const live = (): object => {
      const target = state.wr.deref();
      if (target === undefined) throw new realm.ReferenceError(DEAD_PROXY);
      return target;
    };
    // The traps know their proxy through a weak reference: a strong one in their closure would be a
    // holder of the proxy that gc.refcount and gc.referrers count ("closure of function live").
    let self: WeakRef<object> | undefined;
    const isProxy = (receiver: unknown): boolean => receiver === self?.deref();
    const handler: ProxyHandler<object> = {
      get: (_d, key, receiver) => {
        const t = live();
        const value: unknown = Reflect.get(t, key, isProxy(receiver) ? t : receiver);
        if (typeof value !== "function" || !isProxy(receiver) || key === "constructor" || Object.prototype.hasOwnProperty.call(t, key)) return value;
        return (value as (...a: unknown[]) => unknown).bind(t);
      },
      set: (_d, key, value, receiver) => {
        const t = live();
        return Reflect.set(t, key, value, isProxy(receiver) ? t : receiver);
      },
      has: (_d, key) => Reflect.has(live(), key),
      deleteProperty: (_d, key) => Reflect.deleteProperty(live(), key),
      ownKeys: () => Reflect.ownKeys(live()),
      getOwnPropertyDescriptor: (d, key) => {
        const desc = Reflect.getOwnPropertyDescriptor(live(), key);
        if (desc !== undefined && desc.configurable === false) {
          const own = Reflect.getOwnPropertyDescriptor(d, key);
          // Proxy invariant: only the dummy's own non-configurable properties may be reported so.
          if (own === undefined || own.configurable !== false) desc.configurable = true;
        }
        return desc;
      },
      defineProperty: (_d, key, desc) => Reflect.defineProperty(live(), key, desc),
      getPrototypeOf: () => Reflect.getPrototypeOf(live()),
      setPrototypeOf: (_d, proto) => Reflect.setPrototypeOf(live(), proto),
      isExtensible: (d) => {
        live();
        return Reflect.isExtensible(d);
      },
      // A proxy's target (its dummy) must stay extensible, or every key the object gains later would break
      // the Proxy invariants; so the proxy cannot report itself frozen. Refused before the object is touched:
      // Object.freeze(p) used to make the object non-extensible and then throw.
      preventExtensions: () => {
        live();
        throw new realm.TypeError("cannot make a weakref.proxy non-extensible (Object.freeze, seal, preventExtensions): do it to its object");
      },
      apply: (_d, thisArg, args) => Reflect.apply(live() as (...a: unknown[]) => unknown, thisArg, args),
      construct: (_d, args, newTarget) => {
        const t = live() as new (...a: unknown[]) => object;
        return Reflect.construct(t, args, isProxy(newTarget) ? t : newTarget);
      },
    };
    const proxyObj = new Proxy(dummy, handler);
    self = new WeakRef(proxyObj);
    this.proxyStates.set(proxyObj, state);
    this.proxyStates.set(dummy, state);
    if (callback === undefined) info.basicProxy = new WeakRef(proxyObj);
    else info.others.unshift(new WeakRef(proxyObj));
    this.registerCallback(obj, info, proxyObj, state);
    return proxyObj;
  }

  /** Live refs and proxies to obj, in CPython's order. */
  weakrefsOf(obj: unknown): object[] {
    if ((typeof obj !== "object" && typeof obj !== "function") || obj === null) return [];
    const info = this.infos.get(obj);
    if (info === undefined) return [];
    const out: object[] = [];
    const basicRef = info.basicRef?.deref();
    if (basicRef !== undefined) out.push(basicRef);
    else info.basicRef = undefined;
    const basicProxy = info.basicProxy?.deref();
    if (basicProxy !== undefined) out.push(basicProxy);
    else info.basicProxy = undefined;
    const others: WeakRef<object>[] = [];
    for (const w of info.others) {
      const h = w.deref();
      if (h !== undefined) {
        out.push(h);
        others.push(w);
      }
    }
    info.others = others;
    return out;
  }

  formatRef(r: object): string {
    // A WeakMethod and a KeyedRef print as the weakref they are, as CPython's repr of every ref does.
    const target = this.refStates.get(r)?.wr.deref();
    if (target === undefined) return `<weakref at #${this.id(r)}; dead>`;
    return `<weakref at #${this.id(r)}; to ${this.referent(target)}>`;
  }

  formatProxy(p: object): string {
    const st = this.proxyStates.get(p);
    const target = st?.wr.deref();
    if (target === undefined) return `<weakproxy at #${this.id(p)}; dead>`;
    return `<weakproxy at #${this.id(p)}; to ${this.referent(target)}>`;
  }

  /** `'Map' at #3`; a function or class adds its name, as CPython's repr does: `'Function' at #4 (area)`. */
  private referent(target: object): string {
    let name = "";
    try {
      if (typeof target === "function" && typeof target.name === "string") name = target.name;
    } catch {
      // a user Proxy whose trap throws
    }
    return `'${className(target)}' at #${this.id(target)}${name === "" ? "" : ` (${name})`}`;
  }

  refKey(r: object): unknown {
    return this.refStates.get(r)?.key;
  }

  refCallback(r: object): ((ref: never) => unknown) | undefined {
    return this.refStates.get(r)?.__callback__;
  }

  private makeRefConstructor(): RefConstructor {
    const core: WeakrefCore = this;
    const ref = function ref(this: unknown, obj: object, callback?: unknown): Ref {
      const proto = (new.target as { prototype: object } | undefined)?.prototype ?? ref.prototype;
      return core.makeRef(obj, {
        proto,
        callback: core.checkCallback(callback),
        internal: false,
        shareable: proto === ref.prototype,
      });
    };
    ref.prototype = Object.create(this.realm.FunctionPrototype, {
      __callback__: {
        configurable: true,
        get(this: object) {
          return core.refCallback(this);
        },
      },
      [inspect.custom]: {
        configurable: true,
        value(this: object): string {
          return core.formatRef(this);
        },
      },
      // String(r) and `${r}` print what console.log(r) prints, as CPython's str(r), not the function's source.
      toString: {
        configurable: true,
        writable: true,
        value(this: object): string {
          return core.formatRef(this);
        },
      },
      [Symbol.toStringTag]: { configurable: true, value: "weakref" },
      constructor: { configurable: true, writable: true, value: ref },
    }) as object;
    Object.setPrototypeOf(ref, this.realm.FunctionPrototype);
    return ref as unknown as RefConstructor;
  }

  private makeKeyedRefConstructor(): KeyedRefConstructor {
    const core: WeakrefCore = this;
    const base = this.ref;
    const KeyedRef = function KeyedRef(this: unknown, obj: object, callback: unknown, key: unknown): Ref {
      const proto = (new.target as { prototype: object } | undefined)?.prototype ?? KeyedRef.prototype;
      return core.makeRef(obj, { proto, callback: core.checkCallback(callback), internal: false, shareable: false, key });
    };
    KeyedRef.prototype = Object.create(base.prototype, {
      key: {
        configurable: true,
        get(this: object): unknown {
          return core.refKey(this);
        },
      },
      constructor: { configurable: true, writable: true, value: KeyedRef },
    }) as object;
    Object.setPrototypeOf(KeyedRef, base);
    return KeyedRef as unknown as KeyedRefConstructor;
  }

  /** A KeyedRef whose callback is a container's bookkeeping (not counted by gc()). */
  internalRef(obj: unknown, callback: (ref: Ref) => void, key?: unknown): Ref {
    return this.makeRef(obj, {
      proto: this.KeyedRef.prototype,
      callback: callback as (ref: never) => unknown,
      internal: true,
      shareable: false,
      key,
    });
  }

  private makeWeakMethodConstructor(): WeakMethodConstructor {
    const core: WeakrefCore = this;
    const base = this.ref;
    const WeakMethod = function WeakMethod(this: unknown, obj: object, name: string | symbol, callback?: unknown): Ref {
      const proto = (new.target as { prototype: object } | undefined)?.prototype ?? WeakMethod.prototype;
      if (name === undefined) {
        // `WeakMethod(obj.method)`, as Python writes it: the method alone does not know its object here.
        throw new core.realm.TypeError(`WeakMethod takes the object and its method's name (JavaScript has no bound methods): weakref.WeakMethod(obj, "name")`);
      }
      core.checkReferent(obj);
      const fn: unknown = (obj as Record<string | symbol, unknown>)[name];
      if (typeof fn !== "function") {
        throw new core.realm.TypeError(`argument should be a method: '${String(name)}' is ${typeName(fn)}`);
      }
      return core.makeRef(obj, {
        proto,
        callback: core.checkCallback(callback),
        internal: false,
        shareable: false,
        method: new WeakRef(fn as (...args: unknown[]) => unknown),
      });
    };
    WeakMethod.prototype = Object.create(base.prototype, {
      constructor: { configurable: true, writable: true, value: WeakMethod },
    }) as object;
    Object.setPrototypeOf(WeakMethod, base);
    return WeakMethod as unknown as WeakMethodConstructor;
  }

  private makeFinalizeConstructor(): FinalizeConstructor {
    const core: WeakrefCore = this;
    const finalizers = this.finalizers;
    const call = (f: object): unknown => {
      const info = finalizers.get(f);
      if (info === undefined) return undefined;
      finalizers.delete(f);
      core.cancelCallback(info.ref);
      // A plain call: `info.fn(...)` made the runtime's record the function's `this`, and tracebacks read `at Object.fn`.
      return Reflect.apply(info.fn, undefined, info.args);
    };
    const finalize = function finalize(this: unknown, obj: object, fn: unknown, ...args: unknown[]): object {
      const proto = (new.target as { prototype: object } | undefined)?.prototype ?? finalize.prototype;
      core.checkReferent(obj);
      if (typeof fn !== "function") {
        throw new core.realm.TypeError(`finalize() fn must be callable, not '${typeName(fn)}'`);
      }
      // f knows itself through a weak reference: its own closure would be one more holder of it (gc.refcount).
      let self: WeakRef<object> | undefined;
      const f = (): unknown => call(self!.deref()!);
      self = new WeakRef(f);
      Object.setPrototypeOf(f, proto);
      const r = core.makeRef(obj, {
        proto: core.ref.prototype,
        callback: f as (ref: never) => unknown,
        internal: false,
        shareable: false,
      });
      finalizers.set(f, new FinalizeInfo(r, fn as (...a: unknown[]) => unknown, FinalizeArguments.from(args), true, core.nextFinalizeIndex++));
      return f;
    };
    const peek = (f: object): [object, unknown, unknown[]] | undefined => {
      const info = finalizers.get(f);
      const obj = info?.ref();
      return info === undefined || obj === undefined ? undefined : [obj, info.fn, [...info.args]];
    };
    const formatFinalize = (f: object): string => {
      const obj = finalizers.get(f)?.ref();
      // A subclass prints its own name, as CPython's `type(self).__name__`.
      const name = className(f);
      if (obj === undefined) return `<${name} object at #${core.id(f)}; dead>`;
      return `<${name} object at #${core.id(f)}; for '${className(obj)}' at #${core.id(obj)}>`;
    };
    finalize.prototype = Object.create(this.realm.FunctionPrototype, {
      alive: {
        configurable: true,
        get(this: object) {
          return finalizers.has(this);
        },
      },
      atexit: {
        configurable: true,
        get(this: object) {
          return finalizers.get(this)?.atexit ?? false;
        },
        set(this: object, value: unknown) {
          const info = finalizers.get(this);
          if (info !== undefined) info.atexit = Boolean(value);
        },
      },
      detach: {
        configurable: true,
        writable: true,
        value(this: object) {
          const got = peek(this);
          const info = finalizers.get(this);
          if (got !== undefined && info !== undefined) {
            finalizers.delete(this);
            core.cancelCallback(info.ref);
          }
          return got;
        },
      },
      peek: {
        configurable: true,
        writable: true,
        value(this: object) {
          return peek(this);
        },
      },
      [inspect.custom]: {
        configurable: true,
        value(this: object): string {
          return formatFinalize(this);
        },
      },
      // String(f) and `${f}` read as printed, as CPython's str(f); a function's toString showed the runtime's source.
      toString: {
        configurable: true,
        writable: true,
        value(this: object): string {
          return formatFinalize(this);
        },
      },
      [Symbol.toStringTag]: { configurable: true, value: "finalize" },
      constructor: { configurable: true, writable: true, value: finalize },
    }) as object;
    Object.setPrototypeOf(finalize, this.realm.FunctionPrototype);
    return finalize as unknown as FinalizeConstructor;
  }

  /** Runs the alive finalizers whose `atexit` is true, newest first (CPython's `finalize._exitfunc`). */
  runAtexit(): void {
    const select = (): object[] => [...this.finalizers].filter(([, info]) => info.atexit).sort((a, b) => b[1].index - a[1].index).map(([f]) => f);
    let pending = select();
    let made = this.nextFinalizeIndex;
    for (;;) {
      // A finalizer that made another while exiting: the list is chosen again, with the new one in it.
      if (this.nextFinalizeIndex !== made) {
        pending = select();
        made = this.nextFinalizeIndex;
      }
      const f = pending.shift();
      if (f === undefined) break;
      try {
        (f as () => unknown)();
      } catch (error) {
        reportIgnored(inspect(f), error);
      }
    }
  }
}
