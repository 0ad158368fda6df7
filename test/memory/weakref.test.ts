// Behaviours of CPython's Lib/test/test_weakref.py that apply to JavaScript,
// run for real in a --expose-gc child with the API installed in a vm context.
import { beforeAll, describe, expect, it } from "vitest";
import { cell, ensureBuilt, lines, runCells } from "./harness.js";

beforeAll(() => ensureBuilt());

describe("weakref.ref", () => {
  it("refs without a callback are shared, refs with one are not, and both are callable refs", () => {
    const out = lines(runCells([
      cell("o, a, b, c", `o = {}; a = weakref.ref(o); b = weakref.ref(o); c = weakref.ref(o, () => {});
        print(a === b, a === c, a() === o, a instanceof weakref.ref, weakref.ReferenceType === weakref.ref,
          typeof a, a instanceof Function, a.__callback__, typeof c.__callback__)`),
    ]));
    expect(out).toEqual(["true false true true true function true undefined function"]);
  });

  it("a ref called with arguments raises CPython's TypeError instead of ignoring them; a finalizer, like CPython's, ignores one", () => {
    const out = lines(runCells([
      cell("o, r, m, f", `o = { m() { return 1 } }; r = weakref.ref(o); m = new weakref.WeakMethod(o, "m"); f = weakref.finalize(o, () => "ran");
        for (const attempt of [() => r(o), () => new weakref.KeyedRef(o, null, "k")(1, 2), () => m(3), () => r() === o, () => f(1)]) {
          try { print(attempt()) } catch (e) { print(e instanceof TypeError, e.message) } }`),
    ]));
    expect(out).toEqual([
      "true weakref expected 0 arguments, got 1",
      "true weakref expected 0 arguments, got 2",
      "true weakref expected 0 arguments, got 1",
      "true",
      "ran",
    ]);
  });

  it("a callback receives the ref, runs at gc(), and the ref then returns undefined", () => {
    const out = lines(runCells([
      cell("o, r", `o = { name: "x" }; r = weakref.ref(o, (ref) => print("callback", ref === r, ref())); o = null;
        const n = await gc(); print("collected", n, r(), r.__callback__);`),
    ]));
    expect(out).toEqual(["callback true undefined", "collected 1 undefined undefined"]);
  });

  it("a ref that dies before its referent gets no callback", () => {
    const out = lines(runCells([
      cell("o, r", `o = {}; r = weakref.ref(o, () => print("must not run")); r = null; await gc();
        o = null; print(await gc());`),
    ]));
    expect(out).toEqual(["0"]);
  });

  it("a ref kept alive only by its own referent dies with it and gets no callback (documented: CPython calls back), while a finalizer on it runs", () => {
    const out = lines(runCells([
      cell("o", `o = {}; o.r = weakref.ref(o, () => print("ref callback")); weakref.finalize(o, print, "finalizer"); o = null; print(await gc())`),
    ]));
    expect(out).toEqual(["finalizer", "1"]);
  });

  it("callbacks of one object run newest first", () => {
    const out = lines(runCells([
      cell("o, r1, r2, r3", `o = {}; r1 = weakref.ref(o, () => print("r1")); r2 = weakref.ref(o, () => print("r2"));
        r3 = weakref.proxy(o, () => print("p3")); o = null; print(await gc());`),
    ]));
    expect(out).toEqual(["p3", "r2", "r1", "3"]);
  });

  it("refuses primitives, proxies and refs with CPython's messages, naming a proxy's type as CPython does", () => {
    const out = lines(runCells([
      cell("", `for (const v of [5, "s", undefined, null, true, 1n]) { try { weakref.ref(v) } catch (e) { print(e instanceof TypeError, e.message) } }
        try { weakref.ref(weakref.proxy(globalThis)) } catch (e) { print(e.message) }
        try { weakref.proxy(weakref.proxy(print)) } catch (e) { print(e.message) }
        try { new weakref.WeakSet().add(weakref.proxy(print)) } catch (e) { print(e.message) }
        try { weakref.ref(weakref.ref(globalThis)) } catch (e) { print(e.message) }`),
    ]));
    expect(out).toEqual([
      "true cannot create weak reference to 'number' object",
      "true cannot create weak reference to 'string' object",
      "true cannot create weak reference to 'undefined' object",
      "true cannot create weak reference to 'null' object",
      "true cannot create weak reference to 'boolean' object",
      "true cannot create weak reference to 'bigint' object",
      // CPython names a proxy's type, callable or not (Objects/weakrefobject.c: _PyWeakref_ProxyType, _PyWeakref_CallableProxyType).
      "cannot create weak reference to 'weakref.ProxyType' object",
      "cannot create weak reference to 'weakref.CallableProxyType' object",
      "cannot create weak reference to 'weakref.CallableProxyType' object",
      "cannot create weak reference to 'weakref.ReferenceType' object",
    ]);
  });

  it("getweakrefcount and getweakrefs count live refs and proxies in CPython's order", () => {
    const out = lines(runCells([
      cell("o, a, p, c1, c2", `o = {}; c1 = weakref.ref(o, () => {}); a = weakref.ref(o); p = weakref.proxy(o); c2 = weakref.ref(o, () => {});
        const refs = weakref.getweakrefs(o);
        print(weakref.getweakrefcount(o), refs[0] === a, refs[1] === p, refs[2] === c2, refs[3] === c1, weakref.getweakrefcount(p), weakref.getweakrefcount(5))`),
      cell("", `c1 = c2 = null; await gc(); print(weakref.getweakrefcount(o)); a = p = null; await gc(); print(weakref.getweakrefcount(o))`),
    ]));
    expect(out).toEqual(["4 true true true true 0 0", "2", "0"]);
  });

  it("a finalizer that ran or was detached, and a weak dictionary's or set's deleted entry, stop counting at once, as in CPython", () => {
    const out = lines(runCells([
      cell("o, f, g, d, s", `o = {}; f = weakref.finalize(o, () => 1); g = weakref.finalize(o, () => 2);
        d = new weakref.WeakValueDictionary([["a", o], ["b", o]]); s = new weakref.WeakSet([o]);
        print(weakref.getweakrefcount(o)); f.detach(); g(); d.delete("a"); d.pop("b"); s.delete(o);
        print(weakref.getweakrefcount(o), weakref.getweakrefs(o).length)`),
    ]));
    expect(out).toEqual(["5", "0 0"]);
  });

  it("refs and proxies print with ids, like CPython's reprs", () => {
    const out = lines(runCells([
      cell("GFG, o, r, p", `GFG = class GFG {}; o = new GFG(); r = weakref.ref(o); p = weakref.proxy(o);
        print(r); print(p); print(id(o), id(r), id(p), id(o)); o = null; await gc(); print(r); print(p)`),
    ]));
    expect(out).toEqual([
      "<weakref at #1; to 'GFG' at #2>",
      "<weakproxy at #3; to 'GFG' at #2>",
      "2 1 3 2",
      "<weakref at #1; dead>",
      "<weakproxy at #3; dead>",
    ]);
  });

  it("a ref or proxy to a function or class names it, as CPython's repr does", () => {
    const out = lines(runCells([
      cell("area, Shape, fs", `area = function area() {}; Shape = class Shape {}; fs = [area, Shape, () => 1];
        print(weakref.ref(area)); print(weakref.ref(Shape)); print(weakref.proxy(area)); print(weakref.ref(fs[2]))`),
    ]));
    expect(out).toEqual([
      "<weakref at #1; to 'Function' at #2 (area)>",
      "<weakref at #3; to 'Function' at #4 (Shape)>",
      "<weakproxy at #5; to 'Function' at #2 (area)>",
      "<weakref at #6; to 'Function' at #7>",
    ]);
  });

  it("a callback that throws is reported on stderr and the others still run", () => {
    const run = runCells([
      cell("o, a, b", `o = {}; a = weakref.ref(o, () => print("a ran")); b = weakref.ref(o, () => { throw new Error("boom") });
        o = null; print(await gc())`),
    ]);
    expect(lines(run)).toEqual(["a ran", "2"]);
    // CPython names the callback that failed: `<function <lambda> at 0x…>`, `<finalize object at 0x…; dead>`.
    expect(run.stderr).toMatch(/^Exception ignored in: <function <lambda> at #\d+>\nError: boom/m);
    const finalizer = runCells([cell("o2, f", `o2 = {}; f = weakref.finalize(o2, () => { throw new TypeError("late") }); o2 = null; await gc()`)]);
    expect(finalizer.stderr).toMatch(/^Exception ignored in: <finalize object at #\d+; dead>\nTypeError: late/m);
  });

  it("WeakMethod gives the method bound to a live object, and prints as CPython's does, a weakref to the object", () => {
    const out = lines(runCells([
      cell("C, o, m", `C = class C { constructor() { this.v = 41 } get() { return this.v + 1 } }; o = new C(); m = new weakref.WeakMethod(o, "get");
        print(m()(), m instanceof weakref.ref, String(m)); o = null; await gc(); print(m(), String(m))`),
    ]));
    // CPython's WeakMethod prints as the weakref it is, to the method's object: `<weakref at 0x…; to 'C' at 0x…>`.
    expect(out).toEqual(["42 true <weakref at #1; to 'C' at #2>", "undefined <weakref at #1; dead>"]);
  });

  it("a WeakMethod made as in Python, from the method alone, says what it takes instead", () => {
    const out = lines(runCells([
      cell("C, c", `C = class C { m() { return 1 } }; c = new C();
        for (const attempt of [() => new weakref.WeakMethod(c.m), () => new weakref.WeakMethod(c), () => new weakref.WeakMethod(c, "nope")]) {
          try { attempt(); print("no error") } catch (e) { print(e.name + ": " + e.message) } }`),
    ]));
    expect(out).toEqual([
      `TypeError: WeakMethod takes the object and its method's name (JavaScript has no bound methods): weakref.WeakMethod(obj, "name")`,
      `TypeError: WeakMethod takes the object and its method's name (JavaScript has no bound methods): weakref.WeakMethod(obj, "name")`,
      "TypeError: argument should be a method: 'nope' is undefined",
    ]);
  });

  it("a WeakMethod calls back once when its method dies first, as CPython's does, and not again when the object dies", () => {
    const out = lines(runCells([
      cell("C, o, m", `C = class C { get() { return 1 } }; o = new C();
        m = new weakref.WeakMethod(o, "get", (r) => print("callback", r === m, r()));
        delete C.prototype.get; print("collected", await gc(), m());
        o = null; print("collected", await gc())`),
    ]));
    expect(out).toEqual(["callback true undefined", "collected 1 undefined", "collected 0"]);
  });
});

describe("weakref.proxy", () => {
  it("forwards get, set, has, delete, keys, calls and construction, and is shared without callback", () => {
    const out = lines(runCells([
      cell("o, p, f, fp, K, kp, arr, ap", `o = { a: 1 }; p = weakref.proxy(o);
        p.b = 2; delete p.a; print(o.b, "a" in p, "b" in p, Object.keys(p).join(), JSON.stringify(p), weakref.proxy(o) === p);
        f = (x) => x * 2; fp = weakref.proxy(f); print(typeof fp, fp(21), fp instanceof weakref.CallableProxyType, p instanceof weakref.ProxyType);
        K = class K { constructor(v) { this.v = v } }; kp = weakref.proxy(K); print(new kp(3).v, new kp(3) instanceof K);
        arr = [1, 2]; ap = weakref.proxy(arr); ap.push(3); print(Array.isArray(ap), ap.length, arr.join(), [...ap].join(), \`\${ap}\`)`),
    ]));
    expect(out).toEqual([
      "2 false true b {\"b\":2} true",
      "function 42 true true",
      "3 true",
      "true 3 1,2,3 1,2,3 1,2,3",
    ]);
  });

  it("calls the referent's inherited methods on the referent, as Python's proxy gives bound methods", () => {
    const out = lines(runCells([
      cell("Acct, o, p, m, pm, own", `Acct = class Acct { #bal = 10; balance() { return this.#bal } get doubled() { return this.#bal * 2 } };
        o = new Acct(); p = weakref.proxy(o); print(p.balance(), p.doubled, p.constructor === Acct);
        m = new Map([[1, "one"]]); pm = weakref.proxy(m); print(pm.get(1), pm.size, [...pm].join(), weakref.proxy(new Date(0)).getTime());
        own = { n: 2, f() { return this.n * 2 } }; print(weakref.proxy(own).f())`),
    ]));
    expect(out).toEqual(["10 20 true", "one 1 1,one 0", "4"]);
  });

  it("weakref.ProxyTypes lists both proxy types, as CPython's tuple does, to test a value against either", () => {
    const out = lines(runCells([
      cell("", `const o = {}, f = () => 1; print(weakref.ProxyTypes.length, weakref.ProxyTypes[0] === weakref.ProxyType, weakref.ProxyTypes[1] === weakref.CallableProxyType,
        [weakref.proxy(o), weakref.proxy(f), o, weakref.ref(o)].map((x) => weakref.ProxyTypes.some((t) => x instanceof t)).join(), Object.isFrozen(weakref.ProxyTypes))`),
    ]));
    expect(out).toEqual(["2 true true true,true,false,false true"]);
  });

  it("ProxyType and CallableProxyType print as CPython's classes do, not as an object with a Symbol.hasInstance function", () => {
    const out = lines(runCells([cell("", `print(weakref.ProxyType, String(weakref.CallableProxyType)); print(weakref.ProxyTypes)`)]));
    expect(out).toEqual(["<class 'weakref.ProxyType'> <class 'weakref.CallableProxyType'>", "[ <class 'weakref.ProxyType'>, <class 'weakref.CallableProxyType'> ]"]);
  });

  it("Object.freeze, seal or preventExtensions of a proxy is refused and leaves its object as it was (a proxy cannot show its object frozen)", () => {
    const out = lines(runCells([
      cell("o, p", `o = { a: 1 }; p = weakref.proxy(o);
        for (const attempt of [() => Object.freeze(p), () => Object.seal(p), () => Object.preventExtensions(p)]) {
          try { attempt(); print("no error") } catch (e) { print(e instanceof TypeError, e.message) } }
        p.b = 2; print(Object.isExtensible(o), Object.isFrozen(o), o.b)`),
    ]));
    expect(out).toEqual([
      ...Array(3).fill("true cannot make a weakref.proxy non-extensible (Object.freeze, seal, preventExtensions): do it to its object"),
      "true false 2",
    ]);
  });

  it("every use of a dead proxy throws ReferenceError, and its callback got the proxy", () => {
    const out = lines(runCells([
      cell("o, p", `o = { a: 1 }; p = weakref.proxy(o, (x) => print("cb", x === p)); o = null; await gc();
        for (const use of [() => p.a, () => { p.a = 1 }, () => "a" in p, () => Object.keys(p), () => delete p.a, () => Object.getPrototypeOf(p)]) {
          try { use(); print("no error") } catch (e) { print(e instanceof ReferenceError, e.message) } }`),
    ]));
    expect(out).toEqual(["cb true", ...Array(6).fill("true weakly-referenced object no longer exists")]);
  });
});

describe("weak dictionaries and sets", () => {
  it("each holds one weak reference to itself, and entries vanish when their object is collected", () => {
    const out = lines(runCells([
      cell("V, a, b, vd, kd, ws", `V = class V { constructor(n) { this.n = n } };
        print(weakref.getweakrefcount(new weakref.WeakValueDictionary()), weakref.getweakrefcount(new weakref.WeakKeyDictionary()), weakref.getweakrefcount(new weakref.WeakSet()));
        a = new V(1); b = new V(2); vd = new weakref.WeakValueDictionary([["a", a], ["b", b]]); kd = new weakref.WeakKeyDictionary([[a, "A"], [b, "B"]]); ws = new weakref.WeakSet([a, b]);
        print(vd.size, kd.size, ws.size, vd.get("a") === a, kd.get(b), ws.has(a), weakref.getweakrefcount(a));
        a = null; await gc();
        print(vd.size, kd.size, ws.size, [...vd.keys()].join(), [...kd.values()].join(), [...ws].length, vd.has("a"))`),
    ]));
    expect(out).toEqual(["1 1 1", "2 2 2 true B true 3", "1 1 1 b B 1 false"]);
  });

  it("iteration is safe while entries die", () => {
    const out = lines(runCells([
      cell("objs, vd", `objs = Array.from({ length: 6 }, (_, i) => ({ i })); vd = new weakref.WeakValueDictionary(objs.map((o) => [o.i, o]));
        const seen = []; for (const [k] of vd) { seen.push(k); if (k === 1) { objs.length = 0; await gc(); } }
        print(seen.join(), vd.size)`),
    ]));
    // Entries 2..5 died mid-iteration and were skipped; entry 1 was still held by the loop itself.
    expect(out).toEqual(["0,1 1"]);
  });

  it("get takes a default as a dict's does, given for a missing key and one whose object died", () => {
    const out = lines(runCells([
      cell("a, b, vd, kd", `a = { n: 1 }; b = { n: 2 }; vd = new weakref.WeakValueDictionary([["a", a], ["b", b]]); kd = new weakref.WeakKeyDictionary([[a, 1], [b, 2]]);
        print(vd.get("a") === a, vd.get("zz"), vd.get("zz", 9), vd.get("a", 9) === a, kd.get(a, 9), kd.get({}), kd.get({}, 9), kd.get(a, undefined));
        b = null; await gc(); print(vd.get("b", "gone"));
        try { kd.get(5, 9) } catch (e) { print(e.name + ": " + e.message) }`),
    ]));
    expect(out).toEqual(["true undefined 9 true 1 undefined 9 1", "gone", "TypeError: cannot create weak reference to 'number' object"]);
  });

  it("has Python's pop, setdefault, update, copy and valuerefs/keyrefs", () => {
    const out = lines(runCells([
      cell("a, b, vd, kd", `a = { n: 1 }; b = { n: 2 }; vd = new weakref.WeakValueDictionary(); vd.update({ a });
        print(vd.setdefault("a", b) === a, vd.setdefault("b", b) === b, vd.copy().size, vd.valuerefs().map((r) => r.key).join());
        print(vd.pop("a") === a, vd.pop("zz", b) === b); try { vd.pop("zz") } catch (e) { print(e.name, e.message) }
        kd = new weakref.WeakKeyDictionary(); kd.set(a, 1); print(kd.keyrefs()[0]() === a, kd.pop(a), kd.size)`),
    ]));
    expect(out).toEqual(["true true 2 a,b", "true true", "KeyError 'zz'", "true 1 0"]);
  });

  it("the weak dictionaries and set show no properties of the runtime's own (Object.keys, JSON.stringify), and read the same in a string as printed", () => {
    const out = lines(runCells([
      cell("", `const all = [new weakref.WeakValueDictionary(), new weakref.WeakKeyDictionary(), new weakref.WeakSet()];
        print(all.map((d) => Object.keys(d).length + " " + JSON.stringify(d)).join(" | "));
        print(all.every((d) => \`\${d}\` === String(d) && /^<Weak\\w+ at #\\d+>$/.test(String(d))))`),
    ]));
    expect(out).toEqual(["0 {} | 0 {} | 0 {}", "true"]);
  });

  it("refuses what CPython refuses: a number to fill a dictionary from, an element that is no pair, a number as a weak key", () => {
    const out = lines(runCells([
      cell("", `const tries = [
          () => new weakref.WeakValueDictionary(5), () => new weakref.WeakKeyDictionary(5), () => new weakref.WeakValueDictionary("ab"),
          () => new weakref.WeakValueDictionary([["a", {}, 3]]), () => new weakref.WeakKeyDictionary().get(5), () => new weakref.WeakKeyDictionary().pop(5, 0),
        ];
        for (const attempt of tries) { try { attempt(); print("no error") } catch (e) { print(e.name + ": " + e.message) } }
        print(new weakref.WeakKeyDictionary().has(5), new weakref.WeakValueDictionary({ a: {} }).size)`),
    ]));
    expect(out).toEqual([
      "TypeError: 'number' object is not iterable",
      "TypeError: 'number' object is not iterable",
      "TypeError: dictionary update sequence element #0 is a 'string', not a [key, value] pair",
      "ValueError: dictionary update sequence element #0 has length 3; 2 is required",
      "TypeError: cannot create weak reference to 'number' object",
      "TypeError: cannot create weak reference to 'number' object",
      "false 1",
    ]);
  });

  it("a WeakSet's Python methods refuse a number as CPython's do: discard and remove raise TypeError, not KeyError or nothing; a number to fill it from is not iterable", () => {
    const out = lines(runCells([
      cell("", `const ws = new weakref.WeakSet();
        for (const attempt of [() => ws.discard(5), () => ws.remove(5), () => ws.has(5), () => ws.remove({}), () => new weakref.WeakSet(5), () => ws.update(5), () => ws.update(null), () => ws.update([5])]) { try { print(attempt()) } catch (e) { print(e.name + ": " + e.message) } }`),
    ]));
    expect(out).toEqual([
      "TypeError: cannot create weak reference to 'number' object",
      "TypeError: cannot create weak reference to 'number' object",
      "false",
      "KeyError: {}",
      "TypeError: 'number' object is not iterable",
      "TypeError: 'number' object is not iterable",
      "TypeError: 'null' object is not iterable",
      "TypeError: cannot create weak reference to 'number' object",
    ]);
  });

  it("a WeakSet has CPython's set operations, each taking one iterable: union, intersection, difference, symmetric_difference, their updates, issubset, issuperset, isdisjoint", () => {
    const out = lines(runCells([
      cell("a, b, c, d, s, t, names", `a = { n: 1 }; b = { n: 2 }; c = { n: 3 }; d = { n: 4 }; s = new weakref.WeakSet([a, b, c]); t = new weakref.WeakSet([b, c, d]);
        names = (w) => [...w].map((o) => o.n).join();
        print(names(s.union(t)), names(s.intersection(t)), names(s.difference(t)), names(s.symmetric_difference(t)), s.union([d]) instanceof weakref.WeakSet, names(s));
        print(s.issubset(s.union(t)), s.issubset(t), s.issuperset([a, b]), s.issuperset(t), s.isdisjoint(t), s.isdisjoint([d, 5]), s.intersection([b, 5]).size);
        s.difference_update([a]); print(names(s)); s.intersection_update([c, d]); print(names(s));
        s.symmetric_difference_update([c, a]); print(names(s)); s.symmetric_difference_update(s); print(s.size);
        s.update([a, b]); s.intersection_update(s); s.difference_update([]); print(names(s)); s.difference_update(s); print(s.size);
        for (const attempt of [() => t.difference([5]), () => t.issubset([5]), () => t.union(5), () => t.intersection_update([5]), () => t.issuperset([5]), () => t.symmetric_difference([5]), () => t.isdisjoint(5)]) {
          try { print(attempt()) } catch (e) { print(e.name + ": " + e.message) } }
        print(names(t))`),
    ]));
    expect(out).toEqual([
      "1,2,3,4 2,3 1 1,4 true 1,2,3",
      "true false true false false true 1",
      "2,3",
      "3",
      "1",
      "0",
      "1,2",
      "0",
      "TypeError: cannot create weak reference to 'number' object",
      "TypeError: cannot create weak reference to 'number' object",
      "TypeError: 'number' object is not iterable",
      "TypeError: cannot create weak reference to 'number' object",
      "TypeError: cannot create weak reference to 'number' object",
      "TypeError: cannot create weak reference to 'number' object",
      "TypeError: 'number' object is not iterable",
      "2,3,4",
    ]);
  });

  it("a WeakSet subclass's copy and set operations give the subclass, as CPython's self.__class__(…); a weak dictionary's copy is the base class, as CPython's", () => {
    const out = lines(runCells([
      cell("a, Tagged, t, Cache", `a = {}; Tagged = class Tagged extends weakref.WeakSet {}; t = new Tagged([a]);
        print([t.copy(), t.union([]), t.intersection([a]), t.difference([]), t.symmetric_difference([])].map((x) => x.constructor.name + " " + x.size).join());
        Cache = class Cache extends weakref.WeakValueDictionary {}; print(new Cache([["a", a]]).copy().constructor.name)`),
    ]));
    expect(out).toEqual(["Tagged 1,Tagged 1,Tagged 1,Tagged 1,Tagged 1", "WeakValueDictionary"]);
  });

  it("a subclass of a weak dictionary, a WeakSet or finalize prints its own class's name, as CPython's reprs use type(self).__name__", () => {
    const out = lines(runCells([
      cell("a, Cache, Keys, Tagged, Cleanup", `a = {}; Cache = class Cache extends weakref.WeakValueDictionary {}; Keys = class Keys extends weakref.WeakKeyDictionary {};
        Tagged = class Tagged extends weakref.WeakSet {}; Cleanup = class Cleanup extends weakref.finalize {};
        const all = [new Cache(), new Keys(), new Tagged(), new Cleanup(a, () => {}), new weakref.WeakSet()];
        for (const x of all) print(x, String(x)); all[3](); print(all[3])`),
    ]));
    expect(out).toEqual([
      "<Cache at #1> <Cache at #1>",
      "<Keys at #2> <Keys at #2>",
      "<Tagged at #3> <Tagged at #3>",
      "<Cleanup object at #4; for 'Object' at #5> <Cleanup object at #4; for 'Object' at #5>",
      "<WeakSet at #6> <WeakSet at #6>",
      "<Cleanup object at #4; dead>",
    ]);
  });

  it("the weak dictionaries' classes print with CPython's base class, MutableMapping, not a name of the runtime's own", () => {
    const out = lines(runCells([cell("", `print(weakref.WeakValueDictionary, weakref.WeakKeyDictionary, Object.getPrototypeOf(weakref.WeakKeyDictionary).name)`)]));
    expect(out).toEqual(["[class WeakValueDictionary extends MutableMapping] [class WeakKeyDictionary extends MutableMapping] MutableMapping"]);
  });

  it("popitem takes the newest live entry, as CPython's dict pops its last item, and raises KeyError when empty", () => {
    const out = lines(runCells([
      cell("a, b, c, vd, kd", `a = { n: "a" }; b = { n: "b" }; c = { n: "c" };
        vd = new weakref.WeakValueDictionary([["a", a], ["b", b], ["c", c]]); kd = new weakref.WeakKeyDictionary([[a, "A"], [b, "B"], [c, "C"]]);
        print(vd.popitem()[0], kd.popitem()[1], vd.size, kd.size);
        b = null; await gc(); print(vd.popitem()[0], kd.popitem()[1], vd.size, kd.size);
        try { vd.popitem() } catch (e) { print(e.name, e.message) }`),
    ]));
    expect(out).toEqual(["c C 2 2", "a A 0 0", "KeyError 'popitem(): dictionary is empty'"]);
  });

  it("giving a key a new value keeps its place, as a dict and a Map do, so a loop that reassigns every value ends", () => {
    const out = lines(runCells([
      cell("a, b, c, vd, keep", `a = { n: "a" }; b = { n: "b" }; c = { n: "c" }; keep = [];
        vd = new weakref.WeakValueDictionary([["a", a], ["b", b]]); vd.set("a", c); print([...vd.keys()].join());
        let turns = 0;
        for (const [k] of vd) { if (++turns > 10) { print("still looping"); break } const o = { n: k + "2" }; keep.push(o); vd.set(k, o) }
        print(turns, [...vd.values()].map((v) => v.n).join(), weakref.getweakrefcount(a), weakref.getweakrefcount(c))`),
    ]));
    expect(out).toEqual(["a,b", "2 a2,b2 0 0"]);
  });
});

describe("weakref.finalize", () => {
  it("is callable once, returns fn's result, and has alive, peek, detach", () => {
    const out = lines(runCells([
      cell("o, f, g", `o = {}; f = weakref.finalize(o, (x, y) => x + y, 1, 2);
        print(f.alive, f.peek()[0] === o, f.peek()[2].join(), f.atexit, f(), f.alive, f(), f.peek());
        g = weakref.finalize(o, () => print("must not run")); print(g.detach()[0] === o, g.alive, g.detach()); o = null; print(await gc())`),
    ]));
    expect(out).toEqual(["true true 1,2 true 3 false undefined undefined", "true false undefined", "0"]);
  });

  it("prints as CPython's repr, in a string too (String(f), a template), not as the runtime's own source", () => {
    const out = lines(runCells([
      cell("C, o, f", `C = class C {}; o = new C(); f = weakref.finalize(o, () => {});
        print(f); print(String(f), \`\${f}\` === String(f)); f(); print(String(f))`),
    ]));
    expect(out).toEqual([
      "<finalize object at #1; for 'C' at #2>",
      "<finalize object at #1; for 'C' at #2> true",
      "<finalize object at #1; dead>",
    ]);
  });

  it("runs when the object is collected, and atexit finalizers run newest first", () => {
    const out = lines(runCells([
      cell("o, keep, f1, f2, f3", `o = {}; weakref.finalize(o, (m) => print(m), "collected"); o = null; print(await gc());
        keep = {}; f1 = weakref.finalize(keep, () => print("exit 1")); f2 = weakref.finalize(keep, () => print("exit 2")); f3 = weakref.finalize(keep, () => print("exit 3")); f2.atexit = false;`),
    ]));
    expect(out).toEqual(["collected", "1", "exit 3", "exit 1"]);
  });

  it("at exit also runs the finalizers a finalizer made while exiting, as CPython's _exitfunc does", () => {
    const out = lines(runCells([
      cell("keep, keep2", `keep = {}; keep2 = {}; weakref.finalize(keep, () => { print("first at exit"); weakref.finalize(keep2, print, "made during exit") });`),
    ]));
    expect(out).toEqual(["first at exit", "made during exit"]);
  });

  it("calls its function as a plain function: no runtime object as \`this\`, and a traceback that names the function, not Object.fn", () => {
    const run = runCells([
      cell("o, f", `o = {}; f = weakref.finalize(o, function cleanup(a) { print(a, this === globalThis || this === undefined); throw new Error("late") }, "arg");
        o = null; await gc()`),
      cell("o2", `o2 = {}; weakref.finalize(o2, () => { throw new Error("arrow") }); o2 = null; await gc()`),
    ]);
    expect(lines(run)).toEqual(["arg true"]);
    expect(run.stderr).toMatch(/^Error: late\n +at cleanup \(/m);
    expect(run.stderr).not.toMatch(/at Object\.(fn|cleanup)|\[as fn\]/);
  });
});
