/**
 * Reads what JavaScript cannot see of an object, through an inspector session
 * on this thread (synchronous: `Session.post` runs the command and its callback
 * before it returns): the variables a closure captured (`[[Scopes]]`), a
 * WeakMap's entries (`[[Entries]]`) and an object's private fields.
 *
 * Used by the reference walk (reference-walk.ts). The session is connected for
 * one walk only: while any session is connected the global `console` retains
 * what it logs. Values come back as the objects themselves, handed to a sink
 * function by `Runtime.callFunctionOn`, so the walk compares them with `===`.
 */
import { Session } from "node:inspector";

interface RemoteObject {
  type: string;
  subtype?: string;
  objectId?: string;
  description?: string;
}

interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
}

interface Properties {
  result: PropertyDescriptor[];
  internalProperties?: PropertyDescriptor[];
  privateProperties?: PropertyDescriptor[];
}

/** One scope of a closure's chain, innermost first: its kind ("closure", "block", "script"…) and variables. */
export interface ScopeVariables {
  readonly kind: string;
  readonly variables: ReadonlyMap<string, unknown>;
}

const GROUP = "ephemeron-walk";
/** A main-realm global that `Runtime.evaluate` can name; set only while a batch is being read. */
const SLOT = `__ephemeronWalk${process.pid}__`;

/** Readers whose session is connected: one walk's at most, unless an interrupt ended a walk before its close(). */
const connected = new Set<InspectorReader>();

/**
 * After Runtime.terminateExecution stopped a walk (an interrupt, which runs no `finally`): closes the
 * sessions it left connected, whose object group held what the walk had read (a closure's scope and
 * its variables stayed alive through every later gc()), and takes away the global slot it may have left.
 * Called when no walk runs: a walk is synchronous.
 */
export function closeAbandonedReaders(): void {
  for (const reader of [...connected]) reader.close();
  delete (globalThis as Record<string, unknown>)[SLOT];
}

export class InspectorReader {
  private session: Session | undefined;
  private sinkId: string | undefined;
  private received: unknown;
  /** Inspector round trips made (for diagnostics). */
  calls = 0;

  private post<T>(method: string, params: object): T {
    if (this.session === undefined) {
      this.session = new Session();
      this.session.connect();
      connected.add(this);
    }
    let error: Error | null = null;
    let result: unknown;
    this.calls++;
    this.session.post(method, params, (e: Error | null, r?: unknown) => {
      error = e;
      result = r;
    });
    if (error !== null) throw error;
    return result as T;
  }

  /** Remote ids of `values`, in order, from one evaluation of an array that holds them. */
  private idsOf(values: readonly object[]): string[] {
    const global = globalThis as Record<string, unknown>;
    Object.defineProperty(global, SLOT, { value: values, configurable: true, enumerable: false, writable: true });
    try {
      const array = this.post<{ result: RemoteObject }>("Runtime.evaluate", { expression: SLOT, objectGroup: GROUP, silent: true }).result;
      if (this.sinkId === undefined) {
        global[SLOT] = (value: unknown) => {
          this.received = value;
        };
        this.sinkId = this.post<{ result: RemoteObject }>("Runtime.evaluate", { expression: SLOT, objectGroup: GROUP, silent: true }).result.objectId;
      }
      const props = this.post<Properties>("Runtime.getProperties", { objectId: array.objectId, ownProperties: true, generatePreview: false });
      const ids: string[] = [];
      for (const p of props.result) {
        const index = Number(p.name);
        if (Number.isInteger(index) && p.value?.objectId !== undefined) ids[index] = p.value.objectId;
      }
      return ids;
    } finally {
      delete global[SLOT];
    }
  }

  /** The object behind a remote id, as a JavaScript value of this thread. */
  private valueOf(objectId: string): unknown {
    this.received = undefined;
    this.post("Runtime.callFunctionOn", {
      objectId,
      functionDeclaration: "function (sink) { sink(this) }",
      arguments: [{ objectId: this.sinkId }],
      silent: true,
    });
    return this.received;
  }

  private properties(objectId: string): Properties {
    return this.post<Properties>("Runtime.getProperties", { objectId, ownProperties: true, nonIndexedPropertiesOnly: true, generatePreview: false });
  }

  /** Reads a batch of objects: closures' scopes, WeakMaps' entries, private fields, as asked per object. */
  read(items: readonly ReadRequest[]): ReadResult[] {
    const ids = this.idsOf(items.map((item) => item.object));
    return items.map((item, i) => {
      const id = ids[i];
      if (id === undefined) return {};
      const props = this.properties(id);
      const result: ReadResult = {};
      if (item.privateFields && props.privateProperties !== undefined) {
        result.privateFields = props.privateProperties.map((p) => [p.name, p.value?.objectId === undefined ? undefined : this.valueOf(p.value.objectId)] as const);
      }
      const internal = (name: string): string | undefined => props.internalProperties?.find((p) => p.name === name)?.value?.objectId;
      if (item.scopes) {
        const list = internal("[[Scopes]]");
        result.scopes = list === undefined ? [] : this.scopes(list);
      }
      if (item.namedKeys) {
        // symbols come back as "Symbol(…)" names; the walk reads those from JavaScript
        result.namedKeys = props.result.filter((p) => (p as { symbol?: unknown }).symbol === undefined).map((p) => p.name);
      }
      if (item.entries) {
        const entries = internal("[[Entries]]");
        // the inspector's arrays have no prototype: no .map
        const array = entries === undefined ? [] : (this.valueOf(entries) as ArrayLike<{ key: unknown; value: unknown }>);
        result.entries = Array.from(array, (e) => [e.key, e.value] as const);
      }
      return result;
    });
  }

  private scopes(listId: string): ScopeVariables[] {
    const list = this.post<Properties>("Runtime.getProperties", { objectId: listId, ownProperties: true, generatePreview: false });
    const scopes: ScopeVariables[] = [];
    for (const entry of list.result) {
      if (!/^\d+$/.test(entry.name) || entry.value?.objectId === undefined) continue;
      // "Closure", "Closure (outer)", "Block", "Script", "Global", "Catch", "With", "Module", "Eval"
      const kind = (entry.value.description ?? "").split(" ")[0]!.toLowerCase();
      if (kind === "global") {
        scopes.push({ kind, variables: new Map() }); // the global object: the walk's root already
        continue;
      }
      // the entry is `{ description, object }`; `object` holds the variables as properties
      const scope = (this.valueOf(entry.value.objectId) as { object?: Record<string, unknown> }).object ?? {};
      const variables = new Map<string, unknown>();
      for (const name of Object.keys(scope)) variables.set(name, Object.getOwnPropertyDescriptor(scope, name)?.value);
      scopes.push({ kind, variables });
    }
    return scopes;
  }

  close(): void {
    if (this.session === undefined) return;
    try {
      this.post("Runtime.releaseObjectGroup", { objectGroup: GROUP });
    } finally {
      connected.delete(this);
      this.session.disconnect();
      this.session = undefined;
      this.sinkId = undefined;
      this.received = undefined;
    }
  }
}

export interface ReadRequest {
  readonly object: object;
  readonly scopes?: boolean;
  readonly entries?: boolean;
  readonly privateFields?: boolean;
  /** The own string keys that are not array indexes (Reflect.ownKeys would list every index). */
  readonly namedKeys?: boolean;
}

export interface ReadResult {
  scopes?: ScopeVariables[];
  entries?: (readonly [key: unknown, value: unknown])[];
  privateFields?: (readonly [name: string, value: unknown])[];
  namedKeys?: string[];
}
