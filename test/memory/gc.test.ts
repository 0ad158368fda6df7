// gc(): determinism of collection and callback order, gc.refcount from heap
// snapshots, and the package import in a plain Node program.
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { beforeAll, describe, expect, it } from "vitest";
import { cell, ensureBuilt, lines, root, runCells } from "./harness.js";

beforeAll(() => ensureBuilt());

/** The article's examples: a subclass of Array built from "Geeks", a ref and a proxy, the counts. */
const articleCells = [
  cell("GFG, obj, normal_list, weak_list, weak_list_obj, proxy_list", `GFG = class GFG extends Array {}; obj = GFG.from("Geeks"); normal_list = obj;
    print(\`This is a normal object: \${normal_list}\`);
    weak_list = weakref.ref(obj); weak_list_obj = weak_list();
    print(\`This is a object created using weak reference: \${weak_list_obj}\`);
    proxy_list = weakref.proxy(obj); print(\`This is a proxy object: \${proxy_list}\`);
    for (const o of [normal_list, weak_list_obj, proxy_list]) print(\`Number of weak references: \${weakref.getweakrefcount(o)}\`);`),
  cell("Num, value, weak_dict", `Num = class Num { constructor(data) { this.data = data } }; value = new Num(5);
    weak_dict = new weakref.WeakValueDictionary(); weak_dict.set("num", value);
    print(\`Weak reference count is: \${weakref.getweakrefcount(weak_dict)}\`); weak_dict = null;`),
  cell("", `obj = normal_list = weak_list_obj = value = null; print("collected", await gc(), String(weak_list()));
    try { String(proxy_list) } catch (e) { print(e.name + ": " + e.message) }`),
];

/** Several registries, refs, proxies and finalizers dying in the same collection. */
const orderingCells = [
  cell("objs, regs, refs, say, register", `objs = Array.from({ length: 4 }, (_, i) => ({ i })); refs = [];
    regs = Array.from({ length: 5 }, (_, r) => new FinalizationRegistry((h) => print("registry", r, "held", h)));
    // Callbacks are made outside the loop body: V8 shares one closure context per
    // scope, so a callback created next to a closure that captures \`o\` would keep \`o\` alive.
    say = (...words) => () => print(...words);
    register = (o, n) => regs.forEach((reg, r) => { if ((n + r) % 2 === 0) reg.register(o, \`\${n}/\${r}\`); });
    objs.forEach((o, n) => {
      register(o, n);
      refs.push(weakref.ref(o, say("ref A of", n)), weakref.proxy(o, say("proxy B of", n)));
      weakref.finalize(o, print, "finalize of", n);
    });
    objs = null; print("callbacks", await gc());`),
];

describe("await gc() is deterministic", () => {
  it("the article's examples print what the article shows", () => {
    expect(lines(runCells(articleCells))).toEqual([
      "This is a normal object: G,e,e,k,s",
      "This is a object created using weak reference: G,e,e,k,s",
      "This is a proxy object: G,e,e,k,s",
      "Number of weak references: 2",
      "Number of weak references: 2",
      "Number of weak references: 0",
      "Weak reference count is: 1",
      "collected 0 undefined",
      "ReferenceError: weakly-referenced object no longer exists",
    ]);
  });

  it("callbacks from several registries run in a fixed order: per object newest first, then registrations in order", () => {
    const out = lines(runCells(orderingCells));
    expect(out.slice(0, 3)).toEqual(["finalize of 0", "proxy B of 0", "ref A of 0"]);
    expect(out.filter((l) => l.startsWith("registry")).slice(0, 3)).toEqual(["registry 0 held 0/0", "registry 2 held 0/2", "registry 4 held 0/4"]);
    expect(out.at(-1)).toBe("callbacks 22");
  });

  it("200 runs in one runtime give identical output", () => {
    const out = lines(runCells([...articleCells, ...orderingCells], { repeat: 200, atexit: false }));
    const rounds = out.join("\n").split("--- round\n").filter((r) => r !== "").map((r) => r.trimEnd());
    expect(rounds).toHaveLength(200);
    const odd = rounds.findIndex((r) => r !== rounds[0]);
    expect(odd === -1 ? rounds[0] : `round ${odd}:\n${rounds[odd]}`).toBe(rounds[0]);
  });

  it("fresh processes give identical output", () => {
    const outputs = Array.from({ length: 4 }, () => lines(runCells([...articleCells, ...orderingCells], { repeat: 10, atexit: false })).join("\n"));
    expect(new Set(outputs).size).toBe(1);
  });
});

describe("gc.refcount counts strong references like CPython's refcount", () => {
  it("follows a notebook from a lone const to aliases, weak refs, containers, closures and back", () => {
    const out = lines(runCells([
      cell("my_list", `my_list = [1, 2, 3]; return gc.refcount(my_list)`),
      cell("alias", `alias = my_list; return gc.refcount(my_list)`),
      cell("w, wm, r", `w = new WeakRef(my_list); wm = new WeakMap(); wm.set(my_list, 1); r = weakref.ref(my_list); return gc.refcount(my_list)`),
      cell("holder", `holder = { inner: my_list }; return gc.refcount(my_list)`),
      cell("arr", `arr = [0, my_list]; return gc.refcount(my_list)`),
      // No \`new Map([["k", my_list]])\`: its temporary entry array is still in the cell's frame.
      cell("mp", `mp = new Map(); mp.set("k", my_list); return gc.refcount(my_list)`),
      cell("st", `st = new Set(); st.add(my_list); return gc.refcount(my_list)`),
      cell("f", `f = (() => { const captured = my_list; return function keep() { return captured } })(); return gc.refcount(my_list)`),
      cell("", `return gc.referrers(my_list).join(" | ")`),
      cell("", `alias = holder = arr = mp = st = f = null; return gc.refcount(my_list)`),
      cell("", `try { gc.refcount(5) } catch (e) { return e.message }`),
    ]));
    expect(out).toEqual([
      "=> 1", "=> 2", "=> 2", "=> 3", "=> 4", "=> 5", "=> 6", "=> 7",
      "=> 'alias | my_list | Map entry (mp) | Set member (st) | arr[1] | closure of function keep | holder.inner'",
      "=> 1",
      "=> \"gc.refcount() argument must be an object, not 'number'\"",
    ]);
  });

  it("a gc() shown before it settled says to await it; once awaited it shows as any promise", () => {
    const out = lines(runCells([cell("", `const pending = gc(); print(pending); await pending; print(pending); print(gc.collect())`)]));
    expect(out).toEqual([
      "Promise { <pending> } (gc() collects asynchronously: `await gc()` waits for it, and gives its count)",
      "Promise { 0 }",
      "Promise { <pending> } (gc() collects asynchronously: `await gc()` waits for it, and gives its count)",
    ]);
  });

  it("one gc() frees a chain whose finalizers each let go of the next link, as CPython frees it at once", () => {
    const out = lines(runCells([
      cell("died, links", `died = []; links = Array.from({ length: 12 }, (_, i) => ({ i }));
        links.forEach((link, i) => weakref.finalize(link, (j) => { died.push(j); if (j + 1 < links.length) links[j + 1] = null; }, i));
        links[0] = null; print(await gc(), died.join())`),
    ]));
    expect(out).toEqual(["12 0,1,2,3,4,5,6,7,8,9,10,11"]);
  });

  it("gc.heap() counts the notebook's live instances and displays as a table and a chart", () => {
    const out = lines(runCells([
      cell("P, ps", `P = class P {}; ps = [new P(), new P(), new P()];
        const h = gc.heap(); const bundle = h[Symbol.for("Jupyter.display")]();
        print(h.classes.P, h.usedHeapSize > 0, Object.keys(bundle).join(), bundle["text/html"].includes("<table>"), bundle["text/html"].includes("<svg"));`),
    ]));
    expect(out).toEqual(["3 true text/plain,text/html true true"]);
  });

  it("gc.heap() counts instances of the notebook's own class only: not the runtime's objects of the same name (Module, Script), nor a subclass's prototype", () => {
    const out = lines(runCells([
      cell("Module, Script, Node, keep, Base, Derived", `Module = class Module {}; Script = class Script {}; Node = class Node {};
        Base = class Base {}; Derived = class Derived extends Base {}; keep = [new Node(), new Module(), new Derived(), new Base()];
        print(JSON.stringify(gc.heap().classes))`),
    ]));
    expect(out).toEqual(['{"Base":1,"Derived":1,"Module":1,"Node":1,"Script":0}']);
  });

  it("gc() calls that overlap count each callback once, for the oldest; one called from a callback counts none", () => {
    const out = lines(runCells([
      cell("d, rd", `d = {}; rd = weakref.ref(d, () => print("d died")); d = undefined;
        const p1 = gc(), p2 = gc(); print(await p1, await p2);`),
      cell("e, f, re, rf, inner", `e = {}; f = {};
        re = weakref.ref(e, () => { inner = gc(); }); rf = weakref.ref(f, () => {}); e = f = undefined;
        print("outer", await gc(), "inner", await inner);`),
    ]));
    expect(out).toEqual(["d died", "1 0", "outer 2 inner 0"]);
  });

  it("gc.heap() in a notebook without classes counts none, and leaves out garbage as it does with them", () => {
    const out = lines(runCells([
      cell("junk", `junk = Array.from({ length: 100 }, () => new Array(100000).fill(1));`),
      cell("", `const before = gc.heap().usedHeapSize; junk = undefined; const after = gc.heap();
        print(JSON.stringify(after.classes), before - after.usedHeapSize > 50e6);`),
    ]));
    expect(out).toEqual(["{} true"]);
  });

  it("gc.heap() refuses a space or precision it does not have, naming the spaces; its table lines up every space's figures", () => {
    const out = lines(runCells([
      cell("", `try { gc.heap({ spaces: ["nope", "old_space"] }) } catch (e) { print(e.name, e.message.startsWith("gc.heap(): no space 'nope'; the spaces are "), e.message.includes("array_buffers")) }
        try { gc.heap({ precision: "KB" }) } catch (e) { print(e.name, e.message) }
        const rows = gc.heap()[Symbol.for("Jupyter.display")]()["text/plain"].split(String.fromCharCode(10)).filter((line) => line.startsWith("  ") && line.includes(" of "));
        print(new Set(rows.map((line) => line.indexOf(" of "))).size, rows.length > 5, rows.some((line) => line.includes("shared_large_object_space")))`),
    ]));
    expect(out).toEqual(["TypeError true true", 'TypeError gc.heap(): precision must be "MB" or "0.1MB", not "KB"', "1 true true"]);
  });
});

describe("gc.refcount walks the notebook's objects instead of taking a heap snapshot", () => {
  /** Each cell adds holders of `t`, then reports the count and how it was found. */
  const scenario = [
    cell("t, alias", `t = { name: "t" }; alias = t`),
    cell("wm, k, wm2", `wm = new WeakMap(); wm.set(t, 1); k = {}; wm2 = new WeakMap([[k, t]])`),
    cell("fin, reg", `fin = weakref.finalize({}, () => {}, t); reg = new FinalizationRegistry(() => {}); reg.register({}, t)`),
    cell("P, pp, holder", `P = class P { #p; constructor(x) { this.#p = x } }; pp = new P(t); holder = { [Symbol("q")]: t, nested: { deep: [t, t] } }`),
    cell("big", `big = Array.from({ length: 5000 }, (_, i) => ({ i })); big.extra = t; big[4000] = t`),
    cell("m, st", `m = new Map([[t, t]]); st = new Set([t])`),
    cell("mk, cb", `mk = (() => { const cap = t; return { f() { return cap } } })(); cb = weakref.ref(t, (() => { const c2 = t; return () => c2 })())`),
    cell("wkd, kk, wvd", `wkd = new weakref.WeakKeyDictionary(); kk = {}; wkd.set(kk, t); wvd = new weakref.WeakValueDictionary(); wvd.set("a", t)`),
    cell("blk", `t.me = t; blk = (() => { let r; { const inner = t; r = () => inner } return r })()`),
  ];
  const report = cell("", `return gc.refcount(t) + " " + refcountPath()`);

  it("counts what a snapshot counts: globals, containers, WeakMap values, private fields, closures, finalizers", () => {
    const out = lines(runCells(scenario.flatMap((c) => [c, report]), { env: { EPHEMERON_REFCOUNT: "check" } }));
    // EPHEMERON_REFCOUNT=check: each count was also taken from a snapshot, and the two agreed
    // A WeakMap's value counts once (its entry), as a CPython WeakKeyDictionary's value does.
    expect(out).toEqual(["=> '2 walk'", "=> '3 walk'", "=> '5 walk'", "=> '7 walk'", "=> '9 walk'", "=> '12 walk'", "=> '14 walk'", "=> '15 walk'", "=> '17 walk'"]);
  });

  it("names a holder the same whether the walk or a snapshot counts: an integer key as so[5], a Promise by its variable, a WeakKeyDictionary's entry", () => {
    const out = lines(runCells([
      cell("x, so, pr", `x = { name: "x" }; so = { 5: x, b: x }; print(gc.referrers(x).join());
        pr = Promise.resolve(x); print(gc.referrers(x).join())`),
      cell("v, k, wk", `v = {}; k = {}; wk = new weakref.WeakKeyDictionary(); wk.set(k, v); print(gc.referrers(v).join())`),
    ]));
    expect(out).toEqual(["x,so.b,so[5]", "x,pr (the value of a Promise),so.b,so[5]", "v,WeakKeyDictionaryEntry.value"]);
  });

  it("names a scope several closures share by the first of their names, the same in every run", () => {
    const out = lines(runCells([
      cell("mk, t2, fns", `mk = (x) => { const later = () => x; const early = () => x; return [early, later]; };
        t2 = { t: 2 }; fns = mk(t2); print(gc.referrers(t2).join())`),
    ]));
    expect(out).toEqual(["t2,closure of function early"]);
  });

  it("names in plain words what only a snapshot sees: a bound function's this and arguments, a loop's closures, a suspended generator", () => {
    const out = lines(runCells([
      cell("o, b, c, fns, it", `o = { o: 1 }; function show() {} b = show.bind(o); c = show.bind({}, 1, o);
        fns = []; for (let i = 0; i < 2; i++) { const n = o; fns.push(() => n); }
        it = (function* walk() { const held = o; yield 1; yield held; })(); it.next();
        print(gc.referrers(o).join(" | "))`),
    ]));
    expect(out).toEqual([
      "o | b (its bound this) | c (its bound arguments[1]) | closure of function (anonymous) | closure of function (anonymous) | it (a local of its suspended call)",
    ]);
  });

  it("names a holder that several globals hold by the first of them, as the walk does, in every run of a snapshot", () => {
    const cells = [
      cell("t, zeta, alpha, mid, beta, omega", `t = { t: 1 }; zeta = { x: t }; alpha = zeta; mid = zeta; beta = zeta; omega = zeta; print(gc.referrers(t).join(" | "))`),
    ];
    const runs = Array.from({ length: 4 }, () => lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "snapshot" } }))[0]);
    expect(runs).toEqual(Array(4).fill("t | zeta.x"));
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "check" } }))).toEqual(["t | zeta.x"]);
  });

  it("counts a ref's or proxy's callback as held by its __callback__, and a finalizer as CPython counts it (its name, the registry, its ref)", () => {
    const out = lines(runCells([
      cell("o, fz, cb, r, pcb, p", `o = {}; fz = weakref.finalize(o, () => {}); cb = () => {}; r = weakref.ref(o, cb); pcb = () => {}; p = weakref.proxy(o, pcb);
        print(gc.refcount(fz), gc.referrers(fz).join(" | ")); print(gc.refcount(cb), gc.referrers(cb).join(" | ")); print(gc.referrers(pcb).join(" | "))`),
    ]));
    expect(out).toEqual(["3 fz | Map entry (Map) | weakref.__callback__", "2 cb | weakref.__callback__", "pcb | weakproxy.__callback__"]);
  });

  it("names what a class's prototype holds C.prototype.name, by the walk and the snapshot alike, not as a static (C.name) or an Object's", () => {
    const cells = [
      cell("t, C, proto", `t = { t: 1 }; C = class C { get() { return 1 } }; C.prototype.shared = t;
        print(gc.referrers(t).join(" | ")); print(gc.referrers(C.prototype.get).join(" | "));
        proto = C.prototype; print(gc.referrers(t).join(" | "))`),
    ];
    const expected = ["t | C.prototype.shared", "C.prototype.get", "t | proto.shared"];
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "check" } }))).toEqual(expected);
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "snapshot" } }))).toEqual(expected);
  });

  it("names the memory API's own holders, a Proxy and a class's holders in words, by the walk and the snapshot alike", () => {
    const cells = [
      cell("a, fin, reg", `a = { a: 1 }; fin = weakref.finalize(a, () => {}, a); reg = new FinalizationRegistry(() => {}); reg.register({}, a);
        print(gc.referrers(a).join(" | "), Array.isArray(fin.peek()[2]) && fin.peek()[2].constructor.name === "Array")`),
      cell("t, px, Thing, things", `t = { t: 1 }; px = new Proxy(t, {}); Thing = class Thing { x = 1 }; things = [new Thing()];
        print(gc.referrers(t).join(" | ")); print(gc.referrers(Thing).filter((r) => !r.startsWith("the hidden class")).join(" | "))`),
    ];
    const expected = [
      "a | FinalizationRegistryEntry.held | FinalizeArguments[0] true",
      "t | px (a Proxy's target or handler)",
      "Thing | Thing.prototype.constructor",
    ];
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "check" } }))).toEqual(expected);
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "snapshot" } }))).toEqual(expected);
  });

  it("names a finalizer's function and a KeyedRef's key by what holds them for the user (FinalizeInfo.fn, weakref.key), not by the runtime's own Object or closure", () => {
    const cells = [
      cell("k, v, d, fn, f", `k = {}; v = {}; d = new weakref.WeakValueDictionary(); d.set(k, v); fn = () => {}; f = weakref.finalize(v, fn);
        print(gc.refcount(fn), gc.referrers(fn).join(" | ")); print(gc.refcount(k), gc.referrers(k).join(" | "), d.valuerefs()[0].key === k)`),
    ];
    // CPython counts the same holders: the finalizer's info, the dictionary's data and the KeyedRef.
    const expected = ["2 fn | FinalizeInfo.fn", "3 k | Map entry (Map) | weakref.key true"];
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "check" } }))).toEqual(expected);
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "snapshot" } }))).toEqual(expected);
  });

  it("inside a function, counts its argument as the snapshot does: a running function's f.arguments and f.caller are no holders", () => {
    const cells = [
      cell("o, f, outer, inner", `o = { a: 1 }; f = function f(x) { const y = x; return gc.refcount(x) + " " + gc.referrers(x).join() + " " + refcountPath() }; print(f(o));
        outer = function outer(x) { return inner() }; inner = function inner() { return gc.referrers(o).join() + " " + refcountPath() }; print(outer(o))`),
    ];
    const expected = ["1 o walk", "o walk"];
    expect(lines(runCells(cells))).toEqual(expected);
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "check" } }))).toEqual(expected);
  });

  it("inside an async function after an await, an async arrow, or a generator between yields, the running call's own locals are no holders, as a plain function's are not", () => {
    // Not awaited by the cell (`.then`, each call in a cell of its own), so no suspended call of the notebook waits for them: the walk answers.
    const cells = [
      cell("o, g, a, gen, it, seen", `o = { a: 1 }; seen = [];
        g = async function g(x) { await null; return gc.refcount(x) + " " + gc.referrers(x).join() + " " + refcountPath() };
        a = async (x) => { await null; return gc.referrers(x).join() + " " + refcountPath() };
        gen = function* gen(x) { yield 1; yield gc.referrers(x).join() };
        g(o).then((line) => seen.push(line))`),
      cell("", `a(o).then((line) => seen.push(line))`),
      cell("", `it = gen(o); it.next(); seen.push(it.next().value); print(seen.join(" / "))`),
      // Suspended, the generator's locals are its call's, in the heap: they count.
      cell("", `it = gen(o); it.next(); return gc.referrers(o).join(" | ")`),
    ];
    const expected = ["1 o walk / o walk / o", "=> 'o | it (a local of its suspended call)'"];
    expect(lines(runCells(cells))).toEqual(expected);
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "check" } }))).toEqual(expected);
    expect(lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "snapshot" } }))).toEqual(["1 o snapshot: EPHEMERON_REFCOUNT=snapshot / o snapshot: EPHEMERON_REFCOUNT=snapshot / o", expected[1]]);
  });

  it("an async function that awaits the running call is suspended: its locals count, named by the function, and the walk leaves them to the snapshot", () => {
    const cells = [
      cell("o, k, g", `o = { a: 1 };
        g = async function g(x) { await null; return gc.referrers(x).join(" | ") + " " + refcountPath() };
        k = async function k(x) { const y = [x]; const line = await g(x); return line + " " + y.length };
        print(await k(o));
        { const z = o; print(await g(o)) }`),
    ];
    const out = lines(runCells(cells, { env: { EPHEMERON_REFCOUNT: "check" } }));
    expect(out).toEqual([
      "o | Array[0] | suspended call of k (a local of its suspended call) snapshot: a suspended async function awaits this call 1",
      "o | suspended call of (anonymous) (a local of its suspended call) snapshot: a suspended async function awaits this call",
    ]);
  });

  it("a proxy and a ref are held by the notebook's names only, not by the runtime's own traps", () => {
    const out = lines(runCells([
      cell("o, p, r", `o = { a: 1 }; p = weakref.proxy(o); r = weakref.ref(o);
        print(gc.refcount(p), gc.referrers(p).join(), gc.refcount(r), gc.referrers(r).join(), p.a)`),
    ], { env: { EPHEMERON_REFCOUNT: "check" } }));
    expect(out).toEqual(["1 p 1 r 1"]);
  });

  it("takes the snapshot where the walk cannot see every reference, with the same counts", () => {
    const out = lines(runCells([
      cell("t", `t = { name: "t" }`),
      cell("two", `two = (() => { const x = t; return [() => x, () => 1] })(); return gc.refcount(t) + " " + refcountPath()`),
      cell("child", `two = null; child = Object.create(t); return gc.refcount(t) + " " + refcountPath()`),
      cell("pr", `child = null; pr = Promise.resolve(t); return gc.refcount(t) + " " + refcountPath()`),
      cell("tm", `pr = null; tm = setTimeout((x) => x, 100000, t); return gc.refcount(t) + " " + refcountPath()`),
      cell("px", `clearTimeout(tm); px = new Proxy(t, {}); return gc.refcount(t) + " " + refcountPath()`),
      cell("", `px = null; return gc.refcount(t) + " " + refcountPath()`),
    ], { env: { EPHEMERON_REFCOUNT: "check" } }));
    expect(out).toEqual([
      "=> '2 snapshot: closures that may share one context hold it'",
      // `child.__proto__`, once: not again from the hidden class V8 keeps for `child`.
      "=> '2 snapshot: the object is a prototype'",
      "=> '2 snapshot: a Promise may hold it'",
      "=> '2 snapshot: a timer holds objects as its arguments'",
      "=> '3 snapshot: a Proxy holds what the walk cannot read'",
      // the cleared Timeout in `tm` still holds its arguments
      "=> '2 walk'",
    ]);
  });

  it("walks from the callbacks of the notebook's pending timers, intervals and immediates instead of taking a snapshot", () => {
    const out = lines(runCells([
      cell("t, tick, im", `t = { name: "t" };
        tick = setInterval((() => { const kept = t; return function ticking() { return kept } })(), 100000);
        im = setImmediate(() => {});
        return gc.referrers(t).join(" | ") + " " + refcountPath()`),
      cell("once", `clearInterval(tick); once = setTimeout((() => { const late = t; return function later() { return late } })(), 100000);
        return gc.referrers(t).join(" | ") + " " + refcountPath()`),
      cell("fired", `clearTimeout(once); fired = setTimeout((() => { const ran = t; return function ranOnce() { return ran } })(), 1);
        await new Promise((done) => setTimeout(done, 30));
        // A timer that ran, kept in a variable, still holds its callback.
        return gc.referrers(t).join(" | ") + " " + refcountPath()`),
      cell("", `fired = null; return gc.referrers(t).join(" | ") + " " + refcountPath()`),
      cell("", `const hidden = setTimeout(() => {}, 100000); const fromNode = nodeTimers.setTimeout(() => {}, 100000);
        const line = gc.referrers(t).join(" | ") + " " + refcountPath(); clearTimeout(hidden); clearTimeout(fromNode); return line`),
    ], { env: { EPHEMERON_REFCOUNT: "check" } }));
    expect(out).toHaveLength(5);
    expect(out).toEqual([
      "=> 't | closure of function ticking walk'",
      "=> 't | closure of function later walk'",
      "=> 't | closure of function ranOnce walk'",
      "=> 't walk'",
      // A timer started past the wrappers (node:timers) is out of the walk's sight.
      "=> 't snapshot: the event loop holds a Timeout'",
    ]);
  });

  it("a timer that ran, or was cleared or closed, keeps nothing of its callback's scope from await gc()", () => {
    const out = lines(runCells([
      cell("r1, r2, r3, r4", `{ const a = {}; r1 = weakref.ref(a); setTimeout(() => a, 1); }
        { const b = {}; r2 = weakref.ref(b); clearTimeout(setTimeout(() => b, 100000)); }
        { const c = {}; r3 = weakref.ref(c); setTimeout(() => c, 100000).close(); }
        { const d = {}; r4 = weakref.ref(d); clearInterval(setInterval(() => d, 100000)); }
        await new Promise((done) => setTimeout(done, 30)); await gc(); print(r1(), r2(), r3(), r4())`),
    ]));
    expect(out).toEqual(["undefined undefined undefined undefined"]);
  });

  it("the refcount table gives the same answers when every count is a snapshot", () => {
    const out = lines(runCells([
      cell("my_list, alias, holder", `my_list = [1, 2, 3]; alias = my_list; holder = { inner: my_list }; return gc.referrers(my_list).join(" | ")`),
    ], { env: { EPHEMERON_REFCOUNT: "snapshot" } }));
    expect(out).toEqual(["=> 'alias | my_list | holder.inner'"]);
  });
});

describe("the notebook's FinalizationRegistry", () => {
  it("refuses an object as its own held value, as V8's does (it would never be collected)", () => {
    const out = lines(runCells([
      cell("reg, o, r", `reg = new FinalizationRegistry(() => print("must not run")); o = {}; r = weakref.ref(o);
        try { reg.register(o, o); print("no error") } catch (e) { print(e instanceof TypeError, e.message) }
        o = null; await gc(); print(r())`),
    ]));
    expect(out).toEqual(["true FinalizationRegistry.prototype.register: target and holdings must not be same", "undefined"]);
  });

  it("refuses a call without new, and a foreign receiver, with V8's own words, not the runtime's wrapper's", () => {
    const out = lines(runCells([
      cell("", `for (const attempt of [() => FinalizationRegistry(() => {}), () => FinalizationRegistry.prototype.register.call({}, {}, 1), () => FinalizationRegistry.prototype.unregister.call({}, {})]) {
          try { attempt(); print("no error") } catch (e) { print(e instanceof TypeError, e.message) } }`),
    ]));
    expect(out).toEqual([
      "true Constructor FinalizationRegistry requires 'new'",
      "true Method FinalizationRegistry.prototype.register called on incompatible receiver #<Object>",
      "true Method FinalizationRegistry.prototype.unregister called on incompatible receiver #<Object>",
    ]);
  });
});

describe("the package in a plain Node program", () => {
  it("imports weakref, gc and id without --expose-gc, with the same semantics", () => {
    const dir = mkdtempSync(`${tmpdir()}/ephemeron-`);
    const file = `${dir}/plain.mjs`;
    writeFileSync(file, `import { weakref, gc, id } from ${JSON.stringify(`${root}dist/src/memory/index.js`)};
      const out = [];
      globalThis.o = { x: 1 };
      const r = weakref.ref(globalThis.o, () => out.push("callback"));
      out.push(String(typeof globalThis.gc), weakref.getweakrefcount(globalThis.o), id(globalThis.o), gc.refcount(globalThis.o));
      weakref.finalize({}, () => {}); const keep = {}; weakref.finalize(keep, () => process.stdout.write("atexit\\n"));
      globalThis.o = null;
      out.push(await gc(), String(r()));
      process.stdout.write(out.join(" ") + "\\n");`);
    const run = spawnSync(process.execPath, [file], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("undefined 1 1 1 callback 2 undefined\natexit\n");
  });

  it("counts what the heap holds, as the README says: a module's top-level const that no function captures lives on the stack and counts 0; captured, exported or a global's, 1", () => {
    const dir = mkdtempSync(`${tmpdir()}/ephemeron-`);
    const file = `${dir}/module-level.mjs`;
    writeFileSync(file, `import { gc } from ${JSON.stringify(`${root}dist/src/memory/index.js`)};
      const alone = [1, 2, 3];
      const captured = [1, 2, 3];
      const read = () => captured;
      export const exported = [1, 2, 3];
      globalThis.held = [1, 2, 3];
      process.stdout.write([gc.refcount(alone), gc.refcount(captured), gc.refcount(exported), gc.refcount(globalThis.held)].join(" ") + "\\n");`);
    const run = spawnSync(process.execPath, [file], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("0 1 1 1\n");
  });
});
