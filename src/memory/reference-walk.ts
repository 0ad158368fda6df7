/**
 * `gc.refcount` and `gc.referrers` without a heap snapshot: a walk of the
 * notebook's object graph from its roots that counts the edges into the object
 * by the snapshot's rules (snapshot.ts, runtime-prototype.md Q2).
 *
 * Why: a V8 heap snapshot costs time per live object whatever is asked (on a
 * 50 MB heap of 450k small objects, 3–6 s to build and 1.5–2 s to serialise on
 * the machines measured), while this walk reads each reachable object once from
 * JavaScript (0.25–0.35 s there). What JavaScript cannot see (closures' captured
 * variables, WeakMap values, private fields) is read through an in-process
 * inspector session (inspector-reader.ts).
 *
 * It answers only where it can see every edge the snapshot would count, and
 * otherwise gives up with a reason, and the caller takes the snapshot:
 * - the object is a function, Proxy, Promise, ArrayBuffer or a global;
 * - the walk meets what holds references it cannot read: a Proxy that is not a
 *   weakref proxy, a Promise (reactions), a generator or suspended async
 *   function, an Error (its un-formatted stack holds receivers), a bound
 *   function or promise-resolving function of the notebook, let/const of a raw
 *   script, a module binding not yet initialised;
 * - the object is the prototype of something, or some function's `prototype`
 *   (the snapshot also counts hidden classes' edges there);
 * - two closures show it in scopes that look alike (they may share one context:
 *   one edge, or two);
 * - the event loop has timers, immediates, sockets or requests the runtime did
 *   not have at start, its own pipes and worker ports aside (their callbacks are
 *   out of the walk's sight), other than the notebook's own timers its host
 *   tracks (their callbacks are roots; with objects as arguments, no), or gc()'s
 *   queue has callbacks waiting;
 * - a call of the notebook suspended at an `await` waits for the running one
 *   (`await k(o)` where k awaits g, which counts): its locals are in the heap
 *   and count, but only the running call's promise leads to them;
 * - too many objects need the inspector (the snapshot is then as fast).
 * What it does not see and the snapshot would: references held only by
 * Node's or a loaded package's internal state (closures of Node's own
 * functions, private fields of their classes), microtasks queued in the
 * running cell, suspended async functions that only the runtime's comm/input
 * machinery resumes, named properties of typed arrays, and temporaries that
 * only the running cell's stack holds (the snapshot counts an object that only
 * the stack keeps alive, the walk does not reach it).
 */
import { types } from "node:util";
import { InspectorReader, type ReadRequest, type ReadResult } from "./inspector-reader.js";
import type { Realm } from "./realm.js";
import type { RefcountResult } from "./snapshot.js";

/** What the walk needs from the rest of the memory API. */
export interface WalkHooks {
  /** ephemeron's refs and proxies: their referent is weak, and a proxy's traps must not run. */
  isWeakrefObject(value: object): boolean;
  /** The callback a ref or proxy holds (strongly, as in CPython). */
  callbackOf(handle: object): unknown;
  /** Objects the memory API holds strongly for the user: finalizers, registrations of FinalizationRegistry. */
  heldForUser(): readonly object[];
  /** Callbacks due but not yet run (they hold their held values). */
  pendingCallbacks(): number;
  /** The notebook's timers and immediates that have not run (intervals not cleared), when the host knows them. */
  pendingTimers?(): readonly PendingTimer[];
  /** The notebook's callback behind a function of the host's own that Node's timer holds in its place. */
  timerCallbackBehind?(fn: object): object | undefined;
}

/** A timer or immediate the notebook started: the event loop holds its callback and arguments. */
export interface PendingTimer {
  /** As `process.getActiveResourcesInfo()` names it. */
  readonly kind: "Timeout" | "Immediate";
  readonly callback: object;
  /** Whether an argument for the callback is an object (Node's timer holds it, out of the walk's sight). */
  readonly objectArguments: boolean;
}

export type WalkOutcome =
  | { readonly result: RefcountResult; readonly visited: number; readonly inspectorCalls: number }
  | { readonly fallback: string };

class GiveUp extends Error {}

/** Objects read through the inspector before a snapshot is the faster answer. */
const MAX_INSPECTED = 1500;
/** Arrays longer than this get their named keys from the inspector (Reflect.ownKeys lists every index). */
const LARGE_ARRAY = 1024;
/** Longer arrays are walked by their keys (a sparse array's length says nothing of its elements). */
const DENSE_LIMIT = 1 << 24;

type Edge =
  | { readonly kind: "property"; readonly holder: object; readonly key: string }
  | { readonly kind: "element"; readonly holder: object; readonly index: number }
  | { readonly kind: "entry"; readonly holder: object }
  | { readonly kind: "weakmap"; readonly holder: object; readonly key: unknown }
  | { readonly kind: "closure"; readonly fn: object; readonly first: boolean; readonly variable: string }
  | { readonly kind: "block"; readonly slot: number };

const isObject = (v: unknown): v is object => (typeof v === "object" && v !== null) || typeof v === "function";
const toSource = Function.prototype.toString;
const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const { getOwnPropertyDescriptor, getPrototypeOf, getOwnPropertySymbols } = Object;
const { ownKeys } = Reflect;

function keyName(key: string | symbol): string {
  return typeof key === "string" ? key : key.description === undefined ? "<symbol>" : `<symbol ${key.description}>`;
}

function dataValue(o: object, key: string | symbol | number): unknown {
  const d = getOwnPropertyDescriptor(o, key);
  return d !== undefined && "value" in d ? d.value : undefined;
}

/** The name V8 gives an object's snapshot node: its constructor's name (JSReceiver::GetConstructorName, roughly). */
function constructorName(o: object): string {
  if (typeof o === "function") {
    const name = dataValue(o, "name");
    return typeof name === "string" && name !== "" ? name : "closure";
  }
  let tag: string | undefined;
  for (let p: object | null = o; p !== null && !types.isProxy(p); p = getPrototypeOf(p) as object | null) {
    const ctor = dataValue(p, "constructor");
    if (typeof ctor === "function") {
      const name = dataValue(ctor, "name");
      if (typeof name === "string" && name !== "" && name !== "Object") return name;
      break;
    }
    const t = dataValue(p, Symbol.toStringTag);
    if (tag === undefined && typeof t === "string") tag = t;
  }
  return tag ?? "Object";
}

function arrayIndex(key: string | symbol): number | undefined {
  if (typeof key !== "string") return undefined;
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < 4294967295 && String(n) === key ? n : undefined;
}

/**
 * Resources the runtime opens after the API is installed (stdio and IPC pipes, worker ports):
 * not the user's timers, sockets, child processes or requests, whose callbacks the walk cannot reach.
 */
const RUNTIME_RESOURCES = new Set(["PipeWrap", "TTYWrap", "MessagePort"]);

/**
 * ephemeron's own files: its runtime (dist/, which awaits each cell) and its test driver (test/, which
 * does the same). Their suspended calls hold no notebook object in a local.
 */
const OWN_FILES = ["dist/", "test/"].map((folder) => new URL(`../../../${folder}`, import.meta.url));

function ownFile(fileName: string): boolean {
  return OWN_FILES.some((folder) => fileName.startsWith(folder.href) || fileName.startsWith(folder.pathname));
}

/**
 * Whether a call of the notebook that is suspended at an `await` waits for the running one (V8's
 * async stack trace, which follows a chain of awaits, `.then`s and Promise.all up from the running
 * async function). Such a call's locals are in the heap, where the snapshot counts them, but only
 * the running call's promise leads to them, and the walk starts from the notebook's globals.
 * Not seen: a caller past a promise that two reactions wait on (V8's trace stops there).
 */
function awaitedBySuspendedCall(): boolean {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let sites: readonly NodeJS.CallSite[] = [];
  Error.prepareStackTrace = (_error, structured) => {
    sites = structured;
    return "";
  };
  Error.stackTraceLimit = Infinity; // the async frames come after every synchronous one
  try {
    const probe: { stack?: unknown } = {};
    Error.captureStackTrace(probe);
    void probe.stack; // V8 formats the stack, through prepareStackTrace, when it is first read
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  return sites.some((site) => {
    if (!site.isAsync()) return false;
    if (site.isPromiseAll()) return true; // its list of values may hold the object too
    const file = site.getFileName() ?? "";
    return !file.startsWith("node:") && !ownFile(file);
  });
}

/** The event loop's resources by kind (unref'd timers, such as the runtime's own output flush, are not listed). */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

export class ReferenceWalk {
  private readonly objectPrototype: object;
  private readonly throwTypeError: unknown;
  private readonly baseline: Map<string, number>;

  constructor(
    private readonly realm: Realm,
    private readonly hooks: WalkHooks,
  ) {
    this.objectPrototype = getPrototypeOf(realm.FunctionPrototype) as object;
    this.throwTypeError = getOwnPropertyDescriptor(realm.FunctionPrototype, "caller")?.get;
    this.baseline = activeResources();
  }

  /** Counts the strong references to `target`, or says why only a snapshot can. */
  count(target: object): WalkOutcome {
    const why = this.unsupportedTarget(target);
    if (why !== undefined) return { fallback: why };
    const timers = this.hooks.pendingTimers?.() ?? [];
    // Their callbacks are roots of the walk; arguments would be held by Node's own objects, named as the snapshot names them.
    if (timers.some((timer) => timer.objectArguments)) return { fallback: "a timer holds objects as its arguments" };
    for (const [kind, n] of activeResources()) {
      const known = timers.filter((timer) => timer.kind === kind).length;
      if (n > (this.baseline.get(kind) ?? 0) + known && !RUNTIME_RESOURCES.has(kind)) return { fallback: `the event loop holds a ${kind}` };
    }
    if (this.hooks.pendingCallbacks() > 0) return { fallback: "gc() callbacks are waiting to run" };
    if (awaitedBySuspendedCall()) return { fallback: "a suspended async function awaits this call" };
    const run = new WalkRun(target, this.realm, this.hooks, this.objectPrototype, this.throwTypeError, timers);
    try {
      return run.walk();
    } catch (error) {
      if (error instanceof GiveUp) return { fallback: error.message };
      throw error;
    } finally {
      run.close();
    }
  }

  private unsupportedTarget(target: object): string | undefined {
    if (typeof target === "function") return "the object is a function";
    if (types.isProxy(target)) return "the object is a Proxy";
    if (types.isPromise(target)) return "the object is a Promise";
    if (types.isAnyArrayBuffer(target)) return "the object is an ArrayBuffer";
    if (target === this.realm.globalThis) return "the object is the global object";
    return undefined;
  }
}

class WalkRun {
  private readonly seen = new Set<object>();
  private readonly stack: object[] = [];
  /** The first global variable that holds each object: how the snapshot names a holder. */
  private readonly globalNames = new Map<object, string>();
  private readonly globals = new Set<string>();
  private readonly edges: Edge[] = [];
  /** The scopes (contexts) found holding the target, with the function they were read from. */
  private readonly holdingScopes: { readonly fn: object; readonly variables: ReadonlyMap<string, unknown> }[] = [];
  private readonly privateClasses = new Map<object, boolean>();
  private pending: ReadRequest[] = [];
  private inspected = 0;
  private scriptScopeChecked = false;
  private visited = 0;
  private readonly reader = new InspectorReader();
  /** What the inspector read: its scopes' maps and entry lists hold the target too, until close() empties them. */
  private readonly readResults: ReadResult[] = [];

  constructor(
    private readonly target: object,
    private readonly realm: Realm,
    private readonly hooks: WalkHooks,
    private readonly objectPrototype: object,
    private readonly throwTypeError: unknown,
    private readonly timers: readonly PendingTimer[],
  ) {}

  /**
   * Ends the walk and lets go of every object it met: a heap snapshot taken next (the fallback, or
   * EPHEMERON_REFCOUNT=check) would otherwise count this run's own maps and lists as holders
   * (`Map entry (Map)`) whenever the run itself has not been collected yet.
   */
  close(): void {
    this.reader.close();
    this.seen.clear();
    this.stack.length = 0;
    this.globalNames.clear();
    this.edges.length = 0;
    this.holdingScopes.length = 0;
    this.privateClasses.clear();
    this.pending = [];
    for (const result of this.readResults) {
      for (const scope of result.scopes ?? []) (scope.variables as Map<string, unknown>).clear();
      result.entries?.splice(0);
      result.privateFields?.splice(0);
    }
    this.readResults.length = 0;
  }

  walk(): WalkOutcome {
    this.roots();
    for (;;) {
      while (this.stack.length > 0) this.scan(this.stack.pop()!);
      if (this.pending.length === 0) break;
      const batch = this.pending;
      this.pending = [];
      this.inspected += batch.length;
      if (this.inspected > MAX_INSPECTED) throw new GiveUp(`more than ${MAX_INSPECTED} objects to read through the inspector`);
      const results = this.reader.read(batch);
      this.readResults.push(...results);
      batch.forEach((request, i) => this.readBack(request, results[i]!));
    }
    if (this.mayShareContext()) throw new GiveUp("closures that may share one context hold it");
    const others = this.edges.flatMap((e) => this.labels(e));
    const referrers = [...[...this.globals].sort(), ...others.sort()];
    return { result: { count: referrers.length, referrers }, visited: this.visited, inspectorCalls: this.reader.calls };
  }

  /** The notebook's global variables. */
  private roots(): void {
    const global = this.realm.globalThis;
    for (const key of ownKeys(global)) {
      const d = getOwnPropertyDescriptor(global, key);
      if (d === undefined) continue;
      if ("value" in d) {
        const v: unknown = d.value;
        if (v === this.target) this.globals.add(keyName(key));
        if (isObject(v)) {
          if (!this.globalNames.has(v)) this.globalNames.set(v, keyName(key));
          this.stack.push(v);
        }
      } else {
        if (d.get !== undefined) this.stack.push(d.get);
        if (d.set !== undefined) this.stack.push(d.set);
      }
    }
    for (const held of this.hooks.heldForUser()) this.stack.push(held);
    for (const timer of this.timers) this.stack.push(timer.callback);
  }

  /** Notes a value found in a slot of `holder`; returns whether it is an object (to walk). */
  private found(v: unknown, edge: () => Edge): boolean {
    if (v === this.target) this.edges.push(edge());
    if (!isObject(v)) return false;
    this.stack.push(v);
    return true;
  }

  private scan(o: object): void {
    if (o === this.realm.globalThis || this.seen.has(o)) return;
    if (types.isProxy(o)) {
      if (this.hooks.isWeakrefObject(o)) return this.weakrefObject(o);
      throw new GiveUp("a Proxy holds what the walk cannot read");
    }
    this.visited++;
    if (getPrototypeOf(o) === this.target) throw new GiveUp("the object is a prototype");
    if (typeof o === "function") return this.scanFunction(o);
    if (types.isPromise(o)) throw new GiveUp("a Promise may hold it");
    if (types.isGeneratorObject(o)) throw new GiveUp("a suspended generator or async function may hold it");
    if (types.isNativeError(o)) throw new GiveUp("an Error's stack may hold it");
    if (types.isArrayBufferView(o) || types.isAnyArrayBuffer(o)) return; // bytes, and a view's buffer (not the target)
    let objects = false;
    const request: { -readonly [K in keyof ReadRequest]: ReadRequest[K] } = { object: o };
    if (types.isMap(o)) {
      mapForEach.call(o, (v: unknown, k: unknown) => {
        objects = this.found(k, () => ({ kind: "entry", holder: o })) || objects;
        objects = this.found(v, () => ({ kind: "entry", holder: o })) || objects;
      });
    } else if (types.isSet(o)) {
      setForEach.call(o, (v: unknown) => {
        objects = this.found(v, () => ({ kind: "entry", holder: o })) || objects;
      });
    } else if (types.isWeakMap(o)) {
      request.entries = true;
    }
    if (this.hasPrivateFields(o)) request.privateFields = true;
    if (Array.isArray(o)) objects = this.scanArray(o, request) || objects;
    else objects = this.scanKeys(o, ownKeys(o)) || objects;
    if (objects || request.entries || request.privateFields || request.namedKeys) this.seen.add(o);
    if (request.entries || request.privateFields || request.namedKeys) this.pending.push(request);
  }

  private scanKeys(o: object, keys: readonly (string | symbol)[]): boolean {
    let objects = false;
    const isArray = Array.isArray(o);
    for (const key of keys) {
      let d: PropertyDescriptor | undefined;
      try {
        d = getOwnPropertyDescriptor(o, key);
      } catch {
        throw new GiveUp("a module binding is not initialised yet");
      }
      if (d === undefined) continue;
      if ("value" in d) {
        const index = isArray ? arrayIndex(key) : undefined;
        objects =
          this.found(d.value, () =>
            index === undefined ? { kind: "property", holder: o, key: keyName(key) } : { kind: "element", holder: o, index }) || objects;
      } else {
        if (d.get !== undefined) objects = this.found(d.get, () => ({ kind: "property", holder: o, key: keyName(key) })) || objects;
        if (d.set !== undefined) objects = this.found(d.set, () => ({ kind: "property", holder: o, key: keyName(key) })) || objects;
      }
    }
    return objects;
  }

  private scanArray(o: unknown[], request: { namedKeys?: boolean }): boolean {
    const length = o.length;
    if (length <= LARGE_ARRAY || length > DENSE_LIMIT) return this.scanKeys(o, ownKeys(o));
    let objects = false;
    for (let i = 0; i < length; i++) {
      const d = getOwnPropertyDescriptor(o, i);
      if (d === undefined) continue;
      if ("value" in d) {
        const v: unknown = d.value;
        if (v === this.target) this.edges.push({ kind: "element", holder: o, index: i });
        if (isObject(v)) {
          this.stack.push(v);
          objects = true;
        }
      } else {
        objects = this.scanKeys(o, [String(i)]) || objects;
      }
    }
    request.namedKeys = true; // `arr.extra = x`: read without listing every index
    return this.scanKeys(o, getOwnPropertySymbols(o)) || objects;
  }

  private scanFunction(f: object): void {
    if (this.hooks.isWeakrefObject(f)) return this.weakrefObject(f);
    this.seen.add(f);
    const source = toSource.call(f);
    const native = source.endsWith("{ [native code] }");
    const notebook = this.inRealm(f);
    if (native && notebook && f !== this.throwTypeError && f !== this.realm.FunctionPrototype) {
      const name = dataValue(f, "name");
      if (name === "" || (typeof name === "string" && name.startsWith("bound "))) {
        throw new GiveUp("a bound function or a promise's resolving function may hold it");
      }
    }
    if (dataValue(f, "prototype") === this.target) throw new GiveUp("the object is a function's prototype");
    const request: { -readonly [K in keyof ReadRequest]: ReadRequest[K] } = { object: f };
    // Node's and the runtime's own closures are not read (their captured state is internals, and large).
    if (!native && notebook) request.scopes = true;
    const behind = notebook ? undefined : this.hooks.timerCallbackBehind?.(f);
    if (behind !== undefined) this.stack.push(behind);
    if (source.startsWith("class") && source.includes("#")) request.privateFields = true;
    if (request.scopes || request.privateFields) this.pending.push(request);
    this.scanKeys(f, ownKeys(f).filter((key) => !this.activationProperty(f, key)));
  }

  /**
   * A sloppy function's own `arguments` and `caller`: V8 computes them when read (the arguments of
   * its running call, the function that called it), and no heap edge stands behind them. Read, they
   * made `f(o)`'s own argument a holder (`Object[0]`) that the snapshot does not have.
   */
  private activationProperty(f: object, key: string | symbol): boolean {
    if (key !== "arguments" && key !== "caller") return false;
    return getOwnPropertyDescriptor(f, key)?.configurable === false;
  }

  /** A ref or proxy of the weakref module: the referent is weak; the callback is held. */
  private weakrefObject(o: object): void {
    this.seen.add(o);
    const callback = this.hooks.callbackOf(o);
    if (isObject(callback)) this.stack.push(callback);
    if (!types.isProxy(o)) this.scanKeys(o, ownKeys(o));
  }

  private inRealm(f: object): boolean {
    for (let p = getPrototypeOf(f) as object | null; p !== null; p = getPrototypeOf(p) as object | null) {
      if (p === this.realm.FunctionPrototype || p === this.objectPrototype) return true;
      if (types.isProxy(p)) return false;
    }
    return false;
  }

  /** Whether `o`'s class (or a base class) declares private fields: V8 stores them out of JavaScript's sight. */
  private hasPrivateFields(o: object): boolean {
    for (let p = getPrototypeOf(o) as object | null; p !== null && !types.isProxy(p); p = getPrototypeOf(p) as object | null) {
      let has = this.privateClasses.get(p);
      if (has === undefined) {
        const ctor = dataValue(p, "constructor");
        const source = typeof ctor === "function" ? toSource.call(ctor) : "";
        has = source.startsWith("class") && source.includes("#");
        this.privateClasses.set(p, has);
      }
      if (has) return true;
    }
    return false;
  }

  private readBack(request: ReadRequest, result: ReadResult): void {
    const o = request.object;
    for (const [name, v] of result.privateFields ?? []) this.found(v, () => ({ kind: "property", holder: o, key: name }));
    for (const [k, v] of result.entries ?? []) {
      this.found(v, () => ({ kind: "weakmap", holder: o, key: k }));
      if (isObject(k)) this.stack.push(k);
    }
    if (result.namedKeys !== undefined) this.scanKeys(o, result.namedKeys.filter((k) => k !== "length"));
    let first = true;
    for (const scope of result.scopes ?? []) {
      if (scope.kind === "global") continue;
      if (scope.kind === "script") {
        if (!this.scriptScopeChecked && scope.variables.size > 0) throw new GiveUp("the realm has script-level let/const bindings");
        this.scriptScopeChecked = true;
        continue;
      }
      const isFirst = first; // the innermost context is the function's own: the snapshot names it after the function
      let holds = false;
      let slot = 0;
      for (const [variable, v] of scope.variables) {
        holds ||= v === this.target;
        // a block's context names its slots by number in the snapshot (hidden edges)
        const at = slot++;
        this.found(v, (): Edge => (scope.kind === "block" ? { kind: "block", slot: at } : { kind: "closure", fn: o, first: isFirst, variable }));
      }
      if (holds) this.holdingScopes.push({ fn: o, variables: scope.variables });
      first = false;
    }
  }

  /**
   * Closures made in one scope share its context: the snapshot counts one edge
   * where the walk read two scopes. The inspector gives no context's identity,
   * but one context shows the same variables with the same values through every
   * closure; two scopes read from different functions that look alike may be one.
   */
  private mayShareContext(): boolean {
    const scopes = this.holdingScopes;
    for (let i = 0; i < scopes.length; i++) {
      for (let j = i + 1; j < scopes.length; j++) {
        const a = scopes[i]!;
        const b = scopes[j]!;
        if (a.fn === b.fn || a.variables.size !== b.variables.size) continue;
        let same = true;
        for (const [name, v] of a.variables) {
          if (!b.variables.has(name) || !Object.is(b.variables.get(name), v)) {
            same = false;
            break;
          }
        }
        if (same) return true;
      }
    }
    return false;
  }

  /** How snapshot.ts names a holder: a global variable's name, a class's prototype (`C.prototype`), or its class. */
  private ownerName(holder: object, depth = 0): string {
    const name = this.globalNames.get(holder);
    if (name !== undefined) return name;
    const ctor = dataValue(holder, "constructor");
    // Named by its class, a prototype would read as a static (`C.shared`) or an instance.
    if (typeof ctor === "function" && depth < 8 && dataValue(ctor, "prototype") === holder) return `${this.ownerName(ctor, depth + 1)}.prototype`;
    return constructorName(holder);
  }

  private labels(edge: Edge): string[] {
    switch (edge.kind) {
      case "property":
        // An integer key is an element to V8 (`so[5]`), as snapshot.ts names it.
        return [arrayIndex(edge.key) === undefined ? `${this.ownerName(edge.holder)}.${edge.key}` : `${this.ownerName(edge.holder)}[${edge.key}]`];
      case "element":
        return [`${this.ownerName(edge.holder)}[${edge.index}]`];
      case "entry":
        return [`${constructorName(edge.holder) === "Set" ? "Set member" : "Map entry"} (${this.ownerName(edge.holder)})`];
      case "weakmap":
        // One holder, as a CPython WeakKeyDictionary's value has one (its dict); V8's snapshot also draws an edge from the key, which snapshot.ts leaves out too.
        return [`Map entry (${this.ownerName(edge.holder)})`];
      case "block":
        return [`system / Context (hidden ${edge.slot})`];
      case "closure":
        return [edge.first ? `closure of function ${constructorName(edge.fn) === "closure" ? "(anonymous)" : constructorName(edge.fn)}` : edge.variable];
    }
  }
}
