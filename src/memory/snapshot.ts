/**
 * Reading a V8 heap snapshot: who holds an object strongly, and how many live
 * objects each class has. Runs in the heap-probe worker, off the notebook's heap.
 *
 * Mirrors CPython's `sys.getrefcount` / `gc.get_referrers`, which read a counter
 * and the GC's lists. V8 has neither, so the count is the number of strong edges
 * into the object in a snapshot, classified (see runtime-prototype.md, Q2):
 * weak and shortcut edges, the probe's own edge, storage duplicates
 * (PropertyArray slots, PropertyCell values, element/property backing stores),
 * the KeepDuringJob set and stack roots do not count. A suspended generator's or
 * async function's locals count (its saved registers); a running one's do not:
 * they are on the stack, as a plain function's are, and its saved registers are
 * only what it held when it last resumed.
 * Unlike `sys.getrefcount` there is no +1 for the call's own argument.
 *
 * The snapshot's JSON (80 MB for a 50 MB heap) is never materialised: the
 * parser reads the chunks as they arrive, keeps the node and edge fields the
 * analysis uses in typed arrays, and keeps only the strings that name
 * non-string nodes or edges (the contents of the heap's strings are skipped).
 */

interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}

interface SnapshotHeader {
  snapshot: { meta: SnapshotMeta; node_count?: number; edge_count?: number };
}

export interface RefcountResult {
  count: number;
  referrers: string[];
}

type Retainer = readonly [edge: number, from: number];

/** Single-node retainer scans before the full reverse index is built instead. */
const MAX_RETAINER_SCANS = 8;

export class Snapshot {
  private readonly objectType: number;
  private readonly elementType: number;
  private readonly hiddenType: number;
  private readonly retainerCache = new Map<number, Retainer[]>();
  private retainerScans = 0;
  private firstRetainer: Uint32Array | undefined;
  private retainerEdge = new Uint32Array(0);
  private retainerFrom = new Uint32Array(0);

  constructor(
    readonly nodeCount: number,
    private readonly nodeTypes: readonly string[],
    private readonly edgeTypes: readonly string[],
    private readonly nodeType: Uint8Array,
    private readonly nodeName: Uint32Array,
    /** Node i's edges are firstEdge[i] .. firstEdge[i + 1] - 1. */
    private readonly firstEdge: Uint32Array,
    private readonly edgeTypeOf: Uint8Array,
    private readonly edgeNameOrIndex: Uint32Array,
    /** Node index (not field offset) an edge points to. */
    private readonly edgeToNode: Uint32Array,
    private readonly strings: readonly (string | undefined)[],
    /** Node i's heap object id: what the inspector's HeapProfiler.getObjectByHeapObjectId takes. */
    private readonly nodeId: Uint32Array = new Uint32Array(0),
  ) {
    this.objectType = nodeTypes.indexOf("object");
    this.elementType = edgeTypes.indexOf("element");
    this.hiddenType = edgeTypes.indexOf("hidden");
  }

  get edgeCount(): number {
    return this.firstEdge[this.nodeCount];
  }

  type(node: number): string {
    return this.nodeTypes[this.nodeType[node]] ?? "unknown";
  }

  name(node: number): string {
    return this.strings[this.nodeName[node]] ?? "";
  }

  id(node: number): number {
    return this.nodeId[node] ?? 0;
  }

  edgeType(edge: number): string {
    return this.edgeTypes[this.edgeTypeOf[edge]] ?? "unknown";
  }

  edgeName(edge: number): string {
    const t = this.edgeTypeOf[edge];
    const raw = this.edgeNameOrIndex[edge];
    return t === this.elementType || t === this.hiddenType ? String(raw) : (this.strings[raw] ?? "");
  }

  edgeTo(edge: number): number {
    return this.edgeToNode[edge];
  }

  /** Edge indexes of a node's outgoing edges. */
  *edgesOf(node: number): Generator<number> {
    for (let e = this.firstEdge[node]; e < this.firstEdge[node + 1]; e++) yield e;
  }

  child(node: number, edgeName: string): number | undefined {
    for (const e of this.edgesOf(node)) if (this.edgeName(e) === edgeName) return this.edgeTo(e);
    return undefined;
  }

  /** The node an edge comes from (binary search in firstEdge). */
  private edgeFrom(edge: number): number {
    let lo = 0;
    let hi = this.nodeCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.firstEdge[mid] <= edge) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Finds the edges into each of `nodes` in one pass over the edges (no reverse
   * index of the whole heap). The order is the heap's: by source node, then edge.
   */
  prefetchRetainers(nodes: Iterable<number>): void {
    if (this.firstRetainer !== undefined) return;
    const wanted = new Set<number>();
    for (const n of nodes) if (!this.retainerCache.has(n)) wanted.add(n);
    if (wanted.size === 0) return;
    if (++this.retainerScans > MAX_RETAINER_SCANS) {
      this.buildRetainers();
      return;
    }
    const found = new Map<number, Retainer[]>();
    for (const n of wanted) found.set(n, []);
    const to = this.edgeToNode;
    const total = this.edgeCount;
    if (wanted.size === 1) {
      const [target] = wanted;
      const list = found.get(target)!;
      for (let e = 0; e < total; e++) if (to[e] === target) list.push([e, this.edgeFrom(e)]);
    } else {
      const mark = new Uint8Array(this.nodeCount);
      for (const n of wanted) mark[n] = 1;
      for (let e = 0; e < total; e++) if (mark[to[e]] === 1) found.get(to[e])!.push([e, this.edgeFrom(e)]);
    }
    for (const [n, list] of found) this.retainerCache.set(n, list);
  }

  private buildRetainers(): void {
    const total = this.edgeCount;
    const first = new Uint32Array(this.nodeCount + 1);
    for (let e = 0; e < total; e++) first[this.edgeToNode[e]]++;
    for (let i = 0, sum = 0; i <= this.nodeCount; i++) {
      const c = first[i];
      first[i] = sum;
      sum += c;
    }
    const fill = first.slice();
    this.retainerEdge = new Uint32Array(total);
    this.retainerFrom = new Uint32Array(total);
    for (let from = 0; from < this.nodeCount; from++) {
      for (let e = this.firstEdge[from]; e < this.firstEdge[from + 1]; e++) {
        const slot = fill[this.edgeToNode[e]]++;
        this.retainerEdge[slot] = e;
        this.retainerFrom[slot] = from;
      }
    }
    this.firstRetainer = first;
  }

  /** [edge, from] pairs of the edges into a node. */
  retainersOf(node: number): readonly Retainer[] {
    if (this.firstRetainer === undefined) {
      this.prefetchRetainers([node]);
      const cached = this.retainerCache.get(node);
      if (cached !== undefined) return cached;
    }
    const first = this.firstRetainer!;
    const list: Retainer[] = [];
    for (let i = first[node]; i < first[node + 1]; i++) list.push([this.retainerEdge[i], this.retainerFrom[i]]);
    return list;
  }

  /** The last object node whose class (constructor) name is `name`. */
  findObject(name: string): number | undefined {
    let found: number | undefined;
    for (let i = 0; i < this.nodeCount; i++) if (this.nodeType[i] === this.objectType && this.name(i) === name) found = i;
    return found;
  }

  /**
   * Live objects per constructor name (only the names given, or every object class). With `prototypes` (a name's class's `prototype` node), an object
   * counts only if that is its `__proto__`: the runtime's own objects of the same name (Node's
   * `Module`s, node:vm's `Script`s) are not the notebook's class's instances. A class's prototype never counts.
   */
  classCounts(names: readonly string[] | undefined, prototypes?: ReadonlyMap<string, number>): Record<string, number> {
    const wanted = names === undefined ? undefined : new Set(names);
    const counts: Record<string, number> = {};
    if (wanted !== undefined) for (const n of wanted) counts[n] = 0;
    for (let i = 0; i < this.nodeCount; i++) {
      if (this.nodeType[i] !== this.objectType) continue;
      const name = this.name(i);
      if (wanted !== undefined ? wanted.has(name) : !name.startsWith("system /") && name !== "") {
        const prototype = prototypes?.get(name);
        if (prototype !== undefined && this.child(i, "__proto__") !== prototype) continue;
        // A subclass's prototype (`Derived.prototype`, named after the class it extends) is no instance.
        const ctor = this.child(i, "constructor");
        if (ctor !== undefined && this.child(ctor, "prototype") === i) continue;
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
    return counts;
  }
}

const enum Mode {
  Header,
  Key,
  Nodes,
  Edges,
  Skip,
  Strings,
  Done,
}

/** A growable Uint32Array/Uint8Array pair of helpers. */
function grow<T extends Uint8Array | Uint32Array>(array: T, need: number): T {
  if (need <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(need, array.length * 2, 1024));
  next.set(array);
  return next;
}

/**
 * Incremental parser of the snapshot's JSON, fed with the
 * `HeapProfiler.addHeapSnapshotChunk` chunks as they arrive.
 * Layout (V8 11.3): `{"snapshot":{"meta":…,"node_count":N,"edge_count":M,…},
 * "nodes":[…],"edges":[…],"trace_function_infos":[…],"trace_tree":[…],
 * "samples":[…],"locations":[…],"strings":[…]}`.
 */
export class SnapshotParser {
  private mode = Mode.Header;
  private text = ""; // header, or the text between arrays
  private meta: SnapshotMeta | undefined;
  // node fields
  private nodeFields = 0;
  private typeOff = 0;
  private nameOff = 0;
  private idOff = 0;
  private edgeCountOff = 0;
  private nodeType = new Uint8Array(0);
  private nodeName = new Uint32Array(0);
  private nodeId = new Uint32Array(0);
  private nodeEdges = new Uint32Array(0);
  private nodes = 0;
  // edge fields
  private edgeFields = 0;
  private edgeTypeOff = 0;
  private edgeNameOff = 0;
  private edgeToOff = 0;
  private edgeType = new Uint8Array(0);
  private edgeName = new Uint32Array(0);
  private edgeTo = new Uint32Array(0);
  private edges = 0;
  // number scanner state
  private field = 0;
  private value = 0;
  private inNumber = false;
  private depth = 0;
  /** Which string indexes are kept (1) — the names of non-string nodes and of named edges. */
  private needed = new Uint8Array(0);
  private strings: (string | undefined)[] = [];
  private inString = false;
  private escapePending = false;
  private hasEscape = false;
  private pieces: string[] = [];

  write(chunk: string): void {
    let i = 0;
    while (i < chunk.length && this.mode !== Mode.Done) {
      switch (this.mode) {
        case Mode.Header:
          i = this.header(chunk);
          break;
        case Mode.Key:
          i = this.key(chunk, i);
          break;
        case Mode.Nodes:
          i = this.scanNodes(chunk, i);
          break;
        case Mode.Edges:
          i = this.scanEdges(chunk, i);
          break;
        case Mode.Skip:
          i = this.skip(chunk, i);
          break;
        case Mode.Strings:
          i = this.scanStrings(chunk, i);
          break;
      }
    }
  }

  private header(chunk: string): number {
    const before = this.text.length;
    this.text += chunk;
    const at = this.text.indexOf('"nodes"');
    if (at < 0) return chunk.length;
    // `"nodes"` may start in an earlier chunk: that part stays in `text` for key()
    const carried = at < before ? this.text.slice(at, before) : "";
    const head = this.text.slice(0, at).replace(/,\s*$/, "") + "}";
    const parsed = JSON.parse(head) as SnapshotHeader;
    const meta = parsed.snapshot.meta;
    this.meta = meta;
    this.nodeFields = meta.node_fields.length;
    this.typeOff = meta.node_fields.indexOf("type");
    this.nameOff = meta.node_fields.indexOf("name");
    this.idOff = meta.node_fields.indexOf("id");
    this.edgeCountOff = meta.node_fields.indexOf("edge_count");
    this.edgeFields = meta.edge_fields.length;
    this.edgeTypeOff = meta.edge_fields.indexOf("type");
    this.edgeNameOff = meta.edge_fields.indexOf("name_or_index");
    this.edgeToOff = meta.edge_fields.indexOf("to_node");
    if ([this.typeOff, this.nameOff, this.idOff, this.edgeCountOff, this.edgeTypeOff, this.edgeNameOff, this.edgeToOff].includes(-1)) {
      throw new Error("heap snapshot: unexpected node or edge fields");
    }
    const n = parsed.snapshot.node_count ?? 0;
    const m = parsed.snapshot.edge_count ?? 0;
    this.nodeType = new Uint8Array(n);
    this.nodeName = new Uint32Array(n);
    this.nodeId = new Uint32Array(n);
    this.nodeEdges = new Uint32Array(n);
    this.edgeType = new Uint8Array(m);
    this.edgeName = new Uint32Array(m);
    this.edgeTo = new Uint32Array(m);
    this.text = carried;
    this.mode = Mode.Key;
    return Math.max(0, at - before); // resume at `"nodes"`
  }

  /** Between arrays: `,\n"name":[` — picks the scanner for the array that follows. */
  private key(chunk: string, i: number): number {
    const open = chunk.indexOf("[", i);
    const end = open < 0 ? chunk.length : open;
    this.text += chunk.slice(i, end);
    if (open < 0) {
      if (/}\s*$/.test(this.text)) this.mode = Mode.Done;
      return chunk.length;
    }
    const match = /"([a-z_]+)"\s*:\s*$/.exec(this.text);
    if (match === null) throw new Error(`heap snapshot: unexpected text ${JSON.stringify(this.text.slice(-40))}`);
    this.text = "";
    this.field = 0;
    this.value = 0;
    this.inNumber = false;
    switch (match[1]) {
      case "nodes":
        this.mode = Mode.Nodes;
        break;
      case "edges":
        this.mode = Mode.Edges;
        break;
      case "strings":
        this.mode = Mode.Strings;
        break;
      default:
        this.mode = Mode.Skip;
        this.depth = 1;
    }
    return open + 1;
  }

  private scanNodes(s: string, start: number): number {
    const fields = this.nodeFields;
    const typeOff = this.typeOff;
    const nameOff = this.nameOff;
    const idOff = this.idOff;
    const edgeCountOff = this.edgeCountOff;
    let nodeType = this.nodeType;
    let nodeName = this.nodeName;
    let nodeId = this.nodeId;
    let nodeEdges = this.nodeEdges;
    let value = this.value;
    let inNumber = this.inNumber;
    let field = this.field;
    let n = this.nodes;
    const len = s.length;
    for (let i = start; i < len; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c >= 0 && c <= 9) {
        value = value * 10 + c;
        inNumber = true;
        continue;
      }
      if (inNumber) {
        if (n >= nodeType.length) {
          nodeType = this.nodeType = grow(nodeType, n + 1);
          nodeName = this.nodeName = grow(nodeName, n + 1);
          nodeId = this.nodeId = grow(nodeId, n + 1);
          nodeEdges = this.nodeEdges = grow(nodeEdges, n + 1);
        }
        if (field === typeOff) nodeType[n] = value;
        else if (field === nameOff) nodeName[n] = value;
        else if (field === idOff) nodeId[n] = value;
        else if (field === edgeCountOff) nodeEdges[n] = value;
        if (++field === fields) {
          field = 0;
          n++;
        }
        value = 0;
        inNumber = false;
      }
      if (c === 93 - 48 /* ] */) {
        this.nodes = n;
        this.field = 0;
        this.value = 0;
        this.inNumber = false;
        this.markNodeNames();
        this.mode = Mode.Key;
        return i + 1;
      }
    }
    this.value = value;
    this.inNumber = inNumber;
    this.field = field;
    this.nodes = n;
    return len;
  }

  /** Keeps the names of every node but strings' (their contents, most of the strings table). */
  private markNodeNames(): void {
    const types = this.meta!.node_types[0];
    const skip = new Uint8Array(types.length + 1);
    for (const t of ["string", "concatenated string", "sliced string"]) {
      const index = types.indexOf(t);
      if (index >= 0) skip[index] = 1;
    }
    let max = 0;
    for (let i = 0; i < this.nodes; i++) if (skip[this.nodeType[i]] !== 1 && this.nodeName[i] > max) max = this.nodeName[i];
    this.needed = grow(this.needed, max + 1);
    for (let i = 0; i < this.nodes; i++) if (skip[this.nodeType[i]] !== 1) this.needed[this.nodeName[i]] = 1;
  }

  private scanEdges(s: string, start: number): number {
    const fields = this.edgeFields;
    const typeOff = this.edgeTypeOff;
    const nameOff = this.edgeNameOff;
    const toOff = this.edgeToOff;
    const nodeFields = this.nodeFields;
    const types = this.meta!.edge_types[0];
    const element = types.indexOf("element");
    const hidden = types.indexOf("hidden");
    let edgeType = this.edgeType;
    let edgeName = this.edgeName;
    let edgeTo = this.edgeTo;
    let needed = this.needed;
    let value = this.value;
    let inNumber = this.inNumber;
    let field = this.field;
    let m = this.edges;
    const len = s.length;
    for (let i = start; i < len; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c >= 0 && c <= 9) {
        value = value * 10 + c;
        inNumber = true;
        continue;
      }
      if (inNumber) {
        if (m >= edgeType.length) {
          edgeType = this.edgeType = grow(edgeType, m + 1);
          edgeName = this.edgeName = grow(edgeName, m + 1);
          edgeTo = this.edgeTo = grow(edgeTo, m + 1);
        }
        if (field === typeOff) edgeType[m] = value;
        else if (field === nameOff) edgeName[m] = value;
        else if (field === toOff) edgeTo[m] = value / nodeFields;
        if (++field === fields) {
          // a named edge's name is a string to keep (marked once the edge is complete: no field order assumed)
          const t = edgeType[m];
          if (t !== element && t !== hidden) {
            const name = edgeName[m];
            if (name >= needed.length) needed = this.needed = grow(needed, name + 1);
            needed[name] = 1;
          }
          field = 0;
          m++;
        }
        value = 0;
        inNumber = false;
      }
      if (c === 93 - 48 /* ] */) {
        this.edges = m;
        this.field = 0;
        this.value = 0;
        this.inNumber = false;
        this.mode = Mode.Key;
        return i + 1;
      }
    }
    this.value = value;
    this.inNumber = inNumber;
    this.field = field;
    this.edges = m;
    return len;
  }

  /** Skips an array of numbers or nested arrays (trace tree, samples, locations). */
  private skip(s: string, start: number): number {
    let depth = this.depth;
    for (let i = start; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 91) depth++;
      else if (c === 93 && --depth === 0) {
        this.mode = Mode.Key;
        return i + 1;
      }
    }
    this.depth = depth;
    return s.length;
  }

  private scanStrings(s: string, start: number): number {
    const len = s.length;
    const strings = this.strings;
    const needed = this.needed;
    let i = this.inString ? this.continueString(s, start) : start;
    let backslash = -1; // the next backslash at or after i (len: none), found lazily
    while (i < len) {
      // between strings: `,` and newlines, then `"` (a string starts) or `]` (the end)
      const c = s.charCodeAt(i++);
      if (c === 93 /* ] */) {
        this.mode = Mode.Key;
        return i;
      }
      if (c !== 34 /* " */) continue;
      const quote = s.indexOf('"', i);
      if (backslash < i) {
        backslash = s.indexOf("\\", i);
        if (backslash === -1) backslash = len;
      }
      if (quote !== -1 && quote < backslash) {
        // the common case: the whole string, without escapes, in this chunk
        const index = strings.length;
        strings.push(index < needed.length && needed[index] === 1 ? s.slice(i, quote) : undefined);
        i = quote + 1;
        continue;
      }
      this.inString = true;
      this.hasEscape = false;
      this.escapePending = false;
      this.pieces = [];
      i = this.continueString(s, i);
    }
    return len;
  }

  /** Reads on in a string that has escapes or goes on in the next chunk; returns where it stopped. */
  private continueString(s: string, start: number): number {
    const len = s.length;
    const index = this.strings.length;
    const keep = index < this.needed.length && this.needed[index] === 1;
    let i = start;
    if (this.escapePending) {
      // the previous chunk ended with a backslash: this character is escaped
      if (i >= len) return len;
      i++;
      this.escapePending = false;
    }
    for (;;) {
      const quote = s.indexOf('"', i);
      const backslash = s.indexOf("\\", i);
      if (backslash !== -1 && (quote === -1 || backslash < quote)) {
        this.hasEscape = true;
        if (backslash + 1 < len) {
          i = backslash + 2;
          continue;
        }
        this.escapePending = true;
      }
      if (quote === -1 || this.escapePending) {
        if (keep) this.pieces.push(s.slice(start, len));
        return len;
      }
      if (keep) {
        this.pieces.push(s.slice(start, quote));
        const raw = this.pieces.join("");
        this.strings.push(this.hasEscape ? (JSON.parse(`"${raw}"`) as string) : raw);
      } else {
        this.strings.push(undefined);
      }
      this.pieces = [];
      this.inString = false;
      return quote + 1;
    }
  }

  finish(): Snapshot {
    if (this.mode !== Mode.Done && this.mode !== Mode.Key) throw new Error("heap snapshot: truncated");
    if (this.meta === undefined) throw new Error("heap snapshot: no header");
    const n = this.nodes;
    const firstEdge = new Uint32Array(n + 1);
    for (let i = 0, sum = 0; i < n; i++) {
      firstEdge[i] = sum;
      sum += this.nodeEdges[i];
      firstEdge[i + 1] = sum;
    }
    if (firstEdge[n] !== this.edges) throw new Error(`heap snapshot: ${this.edges} edges, nodes announce ${firstEdge[n]}`);
    return new Snapshot(
      n,
      this.meta.node_types[0],
      this.meta.edge_types[0],
      this.nodeType.subarray(0, n),
      this.nodeName.subarray(0, n),
      firstEdge,
      this.edgeType.subarray(0, this.edges),
      this.edgeName.subarray(0, this.edges),
      this.edgeTo.subarray(0, this.edges),
      this.strings,
      this.nodeId.subarray(0, n),
    );
  }
}
/** What the probe holder (`EphemeronHeapProbe`) points at. */
interface ProbeNodes {
  readonly target: number;
  readonly globalObject: number | undefined;
  readonly holder: number;
}

function probeNodes(snap: Snapshot, probeClass: string, withTarget = true): ProbeNodes {
  const holder = snap.findObject(probeClass);
  if (holder === undefined) throw new Error(`heap probe: no ${probeClass} in the snapshot`);
  const target = snap.child(holder, "target") ?? (withTarget ? undefined : -1);
  if (target === undefined) throw new Error("heap probe: the probe has no target");
  const proxy = snap.child(holder, "g");
  const nativeContext = proxy === undefined ? undefined : snap.child(proxy, "native_context");
  const globalObject = nativeContext === undefined ? undefined : snap.child(nativeContext, "extension");
  return { target, globalObject, holder };
}

/** Live instances of each of the notebook's classes (global classes named `names`), by their prototype. */
export function countClasses(snap: Snapshot, probeClass: string, names: readonly string[]): Record<string, number> {
  const p = probeNodes(snap, probeClass, false);
  const prototypes = new Map<string, number>();
  for (const name of names) {
    const cls = p.globalObject === undefined ? undefined : snap.child(p.globalObject, name);
    const prototype = cls === undefined ? undefined : snap.child(cls, "prototype");
    if (prototype !== undefined) prototypes.set(name, prototype);
  }
  return snap.classCounts(names, prototypes);
}

/** Storage nodes whose edges duplicate an owner's property/element edge. */
const DUPLICATE_STORAGE = new Set(["system / PropertyArray", "system / PropertyCell", "(object elements)", "(object properties)"]);

/**
 * Internal edges that duplicate a reference counted already: V8 draws one from a WeakMap key to
 * its value beside the table's (both named "part of key … -> value … pair in WeakMap"), and one
 * from an object's hidden class to its prototype beside the object's own `__proto__`.
 */
function duplicateInternal(snap: Snapshot, from: number, edgeName: string): boolean {
  if (snap.type(from) !== "array" && /(?:^|\/ )part of key .* pair in WeakMap/.test(edgeName)) return true;
  return snap.name(from) === "system / Map" && edgeName === "prototype";
}

/**
 * The generator and async function objects whose saved registers (`parameters_and_registers`) hold
 * the target: a suspended call's locals, or, for a call that is running, what it held when it last
 * resumed (V8 copies the registers back into its frame then and leaves the array as it was).
 * Which of them run, the snapshot does not say: the worker asks the inspector (`[[GeneratorState]]`).
 */
export function registerHolders(snap: Snapshot, probeClass: string): number[] {
  const p = probeNodes(snap, probeClass);
  const holders: number[] = [];
  for (const [edge, from] of snap.retainersOf(p.target)) {
    if (snap.edgeType(edge) !== "internal" || snap.type(from) !== "array") continue;
    for (const [via, generator] of snap.retainersOf(from)) {
      if (snap.edgeName(via) === "parameters_and_registers" && !holders.includes(generator)) holders.push(generator);
    }
  }
  return holders;
}

/**
 * `running`: generator and async function objects whose call is running now (registerHolders). Their
 * saved registers are no holders: the running call's locals are on the stack, which no count
 * includes, as a plain function's are not (the snapshot's stack roots).
 */
export function countReferences(snap: Snapshot, probeClass: string, globalOrder: readonly string[] = [], running: ReadonlySet<number> = new Set()): RefcountResult {
  const p = probeNodes(snap, probeClass);
  const globals = new Set<string>();
  const isGlobal = (node: number): boolean => node === p.globalObject;
  const globalRank = new Map(globalOrder.map((name, i) => [name, i]));
  /**
   * Of several names, the global defined first (then the first in name order): heap order, which
   * the retainers come in, changes from run to run, and `alias = holder` must not rename holder.x.
   */
  const firstName = (names: string[]): string | undefined =>
    names.sort((a, b) => (globalRank.get(a) ?? Infinity) - (globalRank.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0))[0];

  /** A readable name for an object that holds the target. */
  const ownerName = (node: number, depth = 0): string => {
    const globalNames: string[] = [];
    for (const [edge, from] of snap.retainersOf(node)) {
      const t = snap.edgeType(edge);
      if (t === "property" && isGlobal(from)) globalNames.push(snap.edgeName(edge));
    }
    const global = firstName(globalNames);
    if (global !== undefined) return global;
    const contextNames: string[] = [];
    for (const [edge, from] of snap.retainersOf(node)) {
      if (snap.edgeType(edge) === "context" && !isFunctionContext(from)) contextNames.push(snap.edgeName(edge));
    }
    const variable = firstName(contextNames);
    if (variable !== undefined) return variable;
    // A class's prototype (V8 names it Object) as `C.prototype`, as the reference walk names it.
    for (const [edge, from] of snap.retainersOf(node)) {
      if (depth < 8 && snap.edgeType(edge) === "property" && snap.edgeName(edge) === "prototype" && snap.type(from) === "closure" && snap.child(node, "constructor") === from) {
        return `${ownerName(from, depth + 1)}.prototype`;
      }
    }
    return snap.name(node) || snap.type(node);
  };
  /**
   * The function a context belongs to. Several functions of one scope share it (`g` and `h` of one
   * factory); the first name in order is taken, not the first in heap order, which changes from run
   * to run, so that a notebook's referrers read the same every time.
   */
  const closureOf = (context: number, depth = 0): string | undefined => {
    const names: string[] = [];
    for (const [edge, from] of snap.retainersOf(context)) {
      if (snap.type(from) === "closure" && snap.edgeName(edge) === "context") names.push(snap.name(from) || "(anonymous)");
    }
    if (names.length > 0 || depth > 8) return names.sort()[0];
    // A block's scope (a loop body's `const`) is the `previous` of the scope its closures hold.
    for (const [edge, from] of snap.retainersOf(context)) {
      if (snap.edgeName(edge) === "previous" && snap.name(from) === "system / Context") {
        const name = closureOf(from, depth + 1);
        if (name !== undefined) return name;
      }
    }
    return undefined;
  };
  /** The node that holds `node` by an edge called `edgeName` (a generator's registers, a bound function's arguments). */
  const heldVia = (node: number, edgeName: string): number | undefined => {
    for (const [edge, from] of snap.retainersOf(node)) if (snap.edgeName(edge) === edgeName) return from;
    return undefined;
  };
  /** A function object by the variable that holds it, else as a call or a function of its name. */
  const functionLabel = (fn: number, what: string): string => {
    const owner = ownerName(fn);
    return owner === snap.name(fn) || owner === snap.type(fn) ? `${what} ${snap.name(fn) || "(anonymous)"}` : owner;
  };
  /**
   * A suspended call by the variable that holds its generator (`it`), else by its function: V8 names
   * an async function's object "Generator", whatever function it runs.
   */
  const callLabel = (generator: number): string => {
    const owner = ownerName(generator);
    if (owner !== snap.name(generator) && owner !== snap.type(generator)) return owner;
    const fn = snap.child(generator, "function");
    return `suspended call of ${(fn === undefined ? "" : snap.name(fn)) || "(anonymous)"}`;
  };
  const isFunctionContext = (context: number): boolean => closureOf(context) !== undefined;
  const isKeepDuringJob = (node: number): boolean => {
    for (const [edge, from] of snap.retainersOf(node)) {
      if (snap.name(from) === "(Strong roots)" || snap.edgeName(edge).includes("keep_during_job")) return true;
    }
    return false;
  };
  const collectionOf = (table: number): string | undefined => {
    for (const [edge, from] of snap.retainersOf(table)) {
      if (snap.edgeName(edge) === "table") {
        const kind = snap.name(from);
        return `${kind === "Set" ? "Set member" : "Map entry"} (${ownerName(from)})`;
      }
    }
    return undefined;
  };

  // The holders that need a name: their own retainers, found in one pass over the edges.
  const toName = new Set<number>();
  for (const [edge, from] of snap.retainersOf(p.target)) {
    const t = snap.edgeType(edge);
    if (t === "weak" || t === "shortcut" || from === p.holder || snap.type(from) === "synthetic") continue;
    if (DUPLICATE_STORAGE.has(snap.name(from)) || (t === "property" && isGlobal(from))) continue;
    if (t === "internal" && duplicateInternal(snap, from, snap.edgeName(edge))) continue;
    toName.add(from);
  }
  snap.prefetchRetainers(toName);

  const others: string[] = [];
  for (const [edge, from] of snap.retainersOf(p.target)) {
    const t = snap.edgeType(edge);
    const fromName = snap.name(from);
    if (t === "weak" || t === "shortcut") continue;
    if (from === p.holder) continue;
    if (snap.type(from) === "synthetic") continue; // (Stack roots) and other roots
    if (DUPLICATE_STORAGE.has(fromName)) continue;
    const name = snap.edgeName(edge);
    if (t === "internal" && duplicateInternal(snap, from, name)) continue;
    if (t === "property" && isGlobal(from)) {
      globals.add(name);
    } else if (t === "property" && name === "constructor" && heldVia(from, "prototype") === p.target) {
      others.push(`${snap.name(p.target) || "(anonymous)"}.prototype.constructor`);
    } else if (t === "property") {
      others.push(`${ownerName(from)}.${name}`);
    } else if (t === "element" && (heldVia(from, "_timerArgs") ?? heldVia(from, "_argv")) !== undefined) {
      others.push(`a timer's arguments[${name}]`);
    } else if (t === "element") {
      others.push(`${ownerName(from)}[${name}]`);
    } else if (t === "context") {
      const fn = closureOf(from);
      others.push(fn === undefined ? name : `closure of function ${fn}`);
    } else if (fromName === "system / Context") {
      // A captured variable V8 gives no name (a loop body's `const`, copied for each iteration).
      others.push(`closure of function ${closureOf(from) ?? "(anonymous)"}`);
    } else if (fromName === "system / JSProxy") {
      others.push(`${functionLabel(from, "Proxy")} (a Proxy's target or handler)`);
    } else if (fromName === "system / Map" && name === "constructor") {
      // V8's hidden class (the shape its instances share) points at the class they were made by.
      others.push("the hidden class of its instances");
    } else if (t === "internal" && name === "bound_this") {
      others.push(`${functionLabel(from, "bound function of")} (its bound this)`);
    } else if (t === "internal" && snap.type(from) === "array" && heldVia(from, "bindings") !== undefined) {
      others.push(`${functionLabel(heldVia(from, "bindings")!, "bound function of")} (its bound arguments[${name}])`);
    } else if (t === "internal" && snap.type(from) === "array" && heldVia(from, "parameters_and_registers") !== undefined) {
      // A generator or async function stopped at a yield or an await keeps its locals here.
      const generator = heldVia(from, "parameters_and_registers")!;
      if (running.has(generator)) continue;
      others.push(`${callLabel(generator)} (a local of its suspended call)`);
    } else if (t === "internal" && snap.type(from) === "array") {
      if (isKeepDuringJob(from)) continue;
      others.push(collectionOf(from) ?? `${fromName || "internal array"}[${name}]`);
    } else if (t === "internal" && fromName === "system / WeakCell") {
      continue; // a FinalizationRegistry cell's held target is weak
    } else if (t === "internal" && fromName === "Promise" && name === "reactions_or_result") {
      others.push(`${ownerName(from)} (the value of a Promise)`);
    } else {
      others.push(`${fromName || snap.type(from)} (${t} ${name})`);
    }
  }
  // Heap order is not stable from run to run: sort, variables first.
  const referrers = [...[...globals].sort(), ...others.sort()];
  return { count: referrers.length, referrers };
}
