/**
 * Reading a V8 heap snapshot: who holds an object strongly, and how many live
 * objects each class has. Runs in the heap-probe worker, off the notebook's heap.
 *
 * Mirrors CPython's `sys.getrefcount` / `gc.get_referrers`, which read a counter
 * and the GC's lists. V8 has neither, so the count is the number of strong edges
 * into the object in a snapshot, classified (see runtime-prototype.md, Q2):
 * weak and shortcut edges, the probe's own edge, storage duplicates
 * (PropertyArray slots, PropertyCell values, element/property backing stores),
 * the KeepDuringJob set and stack roots do not count; node:vm stores every global
 * twice (global object and sandbox), so globals are de-duplicated by name.
 * Unlike `sys.getrefcount` there is no +1 for the call's own argument.
 */

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface RefcountResult {
  count: number;
  referrers: string[];
}

export class Snapshot {
  private readonly nodeFields: number;
  private readonly edgeFields: number;
  private readonly nodeTypes: string[];
  private readonly edgeTypes: string[];
  private readonly nodes: number[];
  private readonly edges: number[];
  private readonly strings: string[];
  private readonly typeOff: number;
  private readonly nameOff: number;
  private readonly edgeCountOff: number;
  private readonly edgeTypeOff: number;
  private readonly edgeNameOff: number;
  private readonly edgeToOff: number;
  readonly nodeCount: number;
  private readonly firstEdge: Uint32Array;
  private retainersBuilt = false;
  private firstRetainer = new Uint32Array(0);
  /** For retainer slot i: the edge index (into `edges`) and the node it comes from. */
  private retainerEdge = new Uint32Array(0);
  private retainerFrom = new Uint32Array(0);

  constructor(json: SnapshotJson) {
    const meta = json.snapshot.meta;
    this.nodeFields = meta.node_fields.length;
    this.edgeFields = meta.edge_fields.length;
    this.nodeTypes = meta.node_types[0];
    this.edgeTypes = meta.edge_types[0];
    this.nodes = json.nodes;
    this.edges = json.edges;
    this.strings = json.strings;
    this.typeOff = meta.node_fields.indexOf("type");
    this.nameOff = meta.node_fields.indexOf("name");
    this.edgeCountOff = meta.node_fields.indexOf("edge_count");
    this.edgeTypeOff = meta.edge_fields.indexOf("type");
    this.edgeNameOff = meta.edge_fields.indexOf("name_or_index");
    this.edgeToOff = meta.edge_fields.indexOf("to_node");
    this.nodeCount = this.nodes.length / this.nodeFields;
    this.firstEdge = new Uint32Array(this.nodeCount + 1);
    let e = 0;
    for (let i = 0; i < this.nodeCount; i++) {
      this.firstEdge[i] = e;
      e += this.nodes[i * this.nodeFields + this.edgeCountOff] * this.edgeFields;
    }
    this.firstEdge[this.nodeCount] = e;
  }

  type(node: number): string {
    return this.nodeTypes[this.nodes[node * this.nodeFields + this.typeOff]] ?? "unknown";
  }

  name(node: number): string {
    return this.strings[this.nodes[node * this.nodeFields + this.nameOff]] ?? "";
  }

  edgeType(edge: number): string {
    return this.edgeTypes[this.edges[edge + this.edgeTypeOff]] ?? "unknown";
  }

  edgeName(edge: number): string {
    const t = this.edgeType(edge);
    const raw = this.edges[edge + this.edgeNameOff];
    return t === "element" || t === "hidden" ? String(raw) : (this.strings[raw] ?? "");
  }

  edgeTo(edge: number): number {
    return this.edges[edge + this.edgeToOff] / this.nodeFields;
  }

  /** Edge indexes of a node's outgoing edges. */
  *edgesOf(node: number): Generator<number> {
    for (let e = this.firstEdge[node]; e < this.firstEdge[node + 1]; e += this.edgeFields) yield e;
  }

  child(node: number, edgeName: string): number | undefined {
    for (const e of this.edgesOf(node)) if (this.edgeName(e) === edgeName) return this.edgeTo(e);
    return undefined;
  }

  private buildRetainers(): void {
    if (this.retainersBuilt) return;
    this.retainersBuilt = true;
    const counts = new Uint32Array(this.nodeCount + 1);
    for (let e = 0; e < this.edges.length; e += this.edgeFields) counts[this.edgeTo(e)]++;
    this.firstRetainer = new Uint32Array(this.nodeCount + 1);
    for (let i = 0, sum = 0; i <= this.nodeCount; i++) {
      this.firstRetainer[i] = sum;
      sum += counts[i];
    }
    const fill = this.firstRetainer.slice();
    const total = this.edges.length / this.edgeFields;
    this.retainerEdge = new Uint32Array(total);
    this.retainerFrom = new Uint32Array(total);
    for (let from = 0; from < this.nodeCount; from++) {
      for (let e = this.firstEdge[from]; e < this.firstEdge[from + 1]; e += this.edgeFields) {
        const slot = fill[this.edgeTo(e)]++;
        this.retainerEdge[slot] = e;
        this.retainerFrom[slot] = from;
      }
    }
  }

  /** [edge, from] pairs of the edges into a node. */
  *retainersOf(node: number): Generator<[number, number]> {
    this.buildRetainers();
    for (let i = this.firstRetainer[node]; i < this.firstRetainer[node + 1]; i++) {
      yield [this.retainerEdge[i], this.retainerFrom[i]];
    }
  }

  /** The last object node whose class (constructor) name is `name`. */
  findObject(name: string): number | undefined {
    let found: number | undefined;
    for (let i = 0; i < this.nodeCount; i++) if (this.type(i) === "object" && this.name(i) === name) found = i;
    return found;
  }

  /** Live objects per class name (only the names given, or every object class). */
  classCounts(names: readonly string[] | undefined): Record<string, number> {
    const wanted = names === undefined ? undefined : new Set(names);
    const counts: Record<string, number> = {};
    if (wanted !== undefined) for (const n of wanted) counts[n] = 0;
    for (let i = 0; i < this.nodeCount; i++) {
      if (this.type(i) !== "object") continue;
      const name = this.name(i);
      if (wanted !== undefined ? wanted.has(name) : !name.startsWith("system /") && name !== "") {
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
    return counts;
  }
}

/** What the probe holder (`EphemeronHeapProbe`) points at. */
interface ProbeNodes {
  readonly target: number;
  readonly globalObject: number | undefined;
  readonly sandbox: number | undefined;
  readonly holder: number;
}

function probeNodes(snap: Snapshot, probeClass: string): ProbeNodes {
  const holder = snap.findObject(probeClass);
  if (holder === undefined) throw new Error(`heap probe: no ${probeClass} in the snapshot`);
  const target = snap.child(holder, "target");
  if (target === undefined) throw new Error("heap probe: the probe has no target");
  const proxy = snap.child(holder, "g");
  const nativeContext = proxy === undefined ? undefined : snap.child(proxy, "native_context");
  const globalObject = nativeContext === undefined ? undefined : snap.child(nativeContext, "extension");
  const sandbox = snap.child(holder, "sandbox");
  return { target, globalObject, sandbox, holder };
}

/** Storage nodes whose edges duplicate an owner's property/element edge. */
const DUPLICATE_STORAGE = new Set(["system / PropertyArray", "system / PropertyCell", "(object elements)", "(object properties)"]);

export function countReferences(snap: Snapshot, probeClass: string): RefcountResult {
  const p = probeNodes(snap, probeClass);
  const globals = new Set<string>();
  const isGlobal = (node: number): boolean => node === p.globalObject || node === p.sandbox;

  /** A readable name for an object that holds the target. */
  const ownerName = (node: number): string => {
    for (const [edge, from] of snap.retainersOf(node)) {
      const t = snap.edgeType(edge);
      if (t === "property" && isGlobal(from)) return snap.edgeName(edge);
    }
    for (const [edge, from] of snap.retainersOf(node)) {
      if (snap.edgeType(edge) === "context" && !isFunctionContext(from)) return snap.edgeName(edge);
    }
    return snap.name(node) || snap.type(node);
  };
  const closureOf = (context: number): string | undefined => {
    for (const [edge, from] of snap.retainersOf(context)) {
      if (snap.type(from) === "closure" && snap.edgeName(edge) === "context") return snap.name(from) || "(anonymous)";
    }
    return undefined;
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

  const others: string[] = [];
  for (const [edge, from] of snap.retainersOf(p.target)) {
    const t = snap.edgeType(edge);
    const fromName = snap.name(from);
    if (t === "weak" || t === "shortcut") continue;
    if (from === p.holder) continue;
    if (snap.type(from) === "synthetic") continue; // (Stack roots) and other roots
    if (DUPLICATE_STORAGE.has(fromName)) continue;
    const name = snap.edgeName(edge);
    if (t === "property" && isGlobal(from)) {
      globals.add(name);
    } else if (t === "property") {
      others.push(`${ownerName(from)}.${name}`);
    } else if (t === "element") {
      others.push(`${ownerName(from)}[${name}]`);
    } else if (t === "context") {
      const fn = closureOf(from);
      others.push(fn === undefined ? name : `closure of function ${fn}`);
    } else if (t === "internal" && snap.type(from) === "array") {
      if (isKeepDuringJob(from)) continue;
      others.push(collectionOf(from) ?? `${fromName || "internal array"}[${name}]`);
    } else if (t === "internal" && fromName === "system / WeakCell") {
      continue; // a FinalizationRegistry cell's held target is weak
    } else {
      others.push(`${fromName || snap.type(from)} (${t} ${name})`);
    }
  }
  // Heap order is not stable from run to run: sort, variables first.
  const referrers = [...[...globals].sort(), ...others.sort()];
  return { count: referrers.length, referrers };
}
