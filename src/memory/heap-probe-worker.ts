/**
 * The heap-probe worker: takes a heap snapshot of the main thread through an
 * inspector session (`connectToMainThread`) and analyses it here, so the
 * snapshot's JSON (tens of MB) never touches the heap being measured.
 *
 * The main thread blocks in `Atomics.wait` meanwhile; V8 still services
 * inspector messages there (measured: a full probe completes while the main
 * thread waits), which is what makes `gc.refcount()` synchronous.
 * The session is connected only for the duration of a probe: while any session
 * is connected the global `console` retains what it logs.
 *
 * The chunks are parsed as they arrive (SnapshotParser), while the main thread
 * is still serialising the rest: no 80 MB string, no JSON.parse of it.
 */
import { Session } from "node:inspector";
import { parentPort, workerData } from "node:worker_threads";
import { countClasses, countReferences, registerHolders, SnapshotParser, type Snapshot } from "./snapshot.js";

export interface ProbeRequest {
  /** Written back beside the answer: the main thread waits for its own request's (ids start at 1). */
  readonly id: number;
  readonly kind: "refcount" | "classes";
  readonly probeClass: string;
  readonly classNames?: readonly string[];
  /** The realm's global names in the order they were defined: a holder several globals hold is named by the first, as the reference walk names it. */
  readonly globalOrder?: readonly string[];
}

/** Where a probe's time went, in ms (wall clock, measured in the worker). */
export interface ProbeTimings {
  /** Debugger.enable + Debugger.disable (caches scripts' line ends before the snapshot). */
  debuggerMs: number;
  /** takeHeapSnapshot sent → first chunk: V8 building the snapshot on the main thread. */
  generateMs: number;
  /** First chunk → snapshot done: V8 serialising, the transfer and the incremental parse. */
  streamMs: number;
  /** Of streamMs, time spent in the parser. */
  parseMs: number;
  /** The count (or class census) on the parsed snapshot. */
  analyseMs: number;
  snapshotBytes: number;
  nodes: number;
  edges: number;
}

interface WorkerData {
  readonly shared: SharedArrayBuffer;
}

const { shared } = workerData as WorkerData;
const control = new Int32Array(shared, 0, 2);
const bytes = new Uint8Array(shared, 8);

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error: Error | null, result?: unknown) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
}

/** Runs `use` on the snapshot while the session that took it is still connected (object ids are valid until it disconnects). */
async function withSnapshot<T>(timings: ProbeTimings, use: (snap: Snapshot, session: Session) => Promise<T>): Promise<T> {
  const session = new Session();
  session.connectToMainThread();
  try {
    return await use(await takeSnapshot(session, timings), session);
  } finally {
    session.disconnect();
  }
}

async function takeSnapshot(session: Session, timings: ProbeTimings): Promise<Snapshot> {
  const parser = new SnapshotParser();
  let parseError: unknown;
  let firstChunk = 0;
  session.on("HeapProfiler.addHeapSnapshotChunk", (message: { params: { chunk: string } }) => {
    if (parseError !== undefined) return;
    const t = performance.now();
    if (firstChunk === 0) firstChunk = t;
    const { chunk } = message.params;
    timings.snapshotBytes += chunk.length;
    try {
      parser.write(chunk);
    } catch (error) {
      parseError = error;
    }
    timings.parseMs += performance.now() - t;
  });
  // Caches scripts' line ends: without it a snapshot costs O(functions × script size) on V8 11.3.
  let t = performance.now();
  await post(session, "Debugger.enable");
  await post(session, "Debugger.disable");
  timings.debuggerMs = performance.now() - t;
  t = performance.now();
  await post(session, "HeapProfiler.takeHeapSnapshot", { reportProgress: false, captureNumericValue: false, exposeInternals: false });
  const end = performance.now();
  timings.generateMs = (firstChunk || end) - t;
  timings.streamMs = firstChunk === 0 ? 0 : end - firstChunk;
  session.removeAllListeners("HeapProfiler.addHeapSnapshotChunk");
  if (parseError !== undefined) throw parseError;
  t = performance.now();
  const snap = parser.finish();
  timings.parseMs += performance.now() - t;
  timings.nodes = snap.nodeCount;
  timings.edges = snap.edgeCount;
  return snap;
}

interface InternalProperties {
  internalProperties?: { name: string; value?: { value?: unknown } }[];
}

/**
 * Of the generator and async function objects whose saved registers hold the target, those whose
 * call is running (the one that called gc.refcount, or one that called it): V8's inspector tells
 * (`[[GeneratorState]]`), the snapshot does not. An object the inspector cannot find counts as suspended.
 */
async function runningCalls(session: Session, snap: Snapshot, generators: readonly number[]): Promise<Set<number>> {
  const running = new Set<number>();
  const group = "ephemeron-probe";
  try {
    for (const generator of generators) {
      try {
        const found = (await post(session, "HeapProfiler.getObjectByHeapObjectId", { objectId: String(snap.id(generator)), objectGroup: group })) as { result: { objectId?: string } };
        if (found.result.objectId === undefined) continue;
        const properties = (await post(session, "Runtime.getProperties", { objectId: found.result.objectId, ownProperties: true })) as InternalProperties;
        const state = properties.internalProperties?.find((p) => p.name === "[[GeneratorState]]")?.value?.value;
        if (state === "running") running.add(generator);
      } catch {
        // collected since the snapshot, or not an object the inspector shows: left counted
      }
    }
  } finally {
    await post(session, "Runtime.releaseObjectGroup", { objectGroup: group }).catch(() => undefined);
  }
  return running;
}

/** The newest request: the main thread waits for no older one (an interrupt stopped that wait). */
let newest = 0;

/** Writes the answer, then its request's id into control[0], which the main thread waits on. */
function reply(id: number, result: object): void {
  // An older probe's answer would overwrite the buffer under the newer one's, or be read as it.
  if (id !== newest) return;
  let encoded = new TextEncoder().encode(JSON.stringify(result));
  if (encoded.length > bytes.length) {
    encoded = new TextEncoder().encode(JSON.stringify({ error: `heap probe result too large (${encoded.length} bytes)` }));
  }
  bytes.set(encoded);
  Atomics.store(control, 1, encoded.length);
  Atomics.store(control, 0, id);
  Atomics.notify(control, 0);
}

parentPort?.on("message", (request: ProbeRequest) => {
  newest = request.id;
  const timings: ProbeTimings = { debuggerMs: 0, generateMs: 0, streamMs: 0, parseMs: 0, analyseMs: 0, snapshotBytes: 0, nodes: 0, edges: 0 };
  withSnapshot(timings, async (snap, session) => {
    const t = performance.now();
    const result =
      request.kind === "refcount"
        ? countReferences(snap, request.probeClass, request.globalOrder, await runningCalls(session, snap, registerHolders(snap, request.probeClass)))
        : { classes: request.classNames === undefined ? snap.classCounts(undefined) : countClasses(snap, request.probeClass, request.classNames), nodes: snap.nodeCount };
    timings.analyseMs = performance.now() - t;
    return result;
  })
    .then((result) => {
      reply(request.id, { ...result, timings });
    })
    .catch((error: unknown) => {
      reply(request.id, { error: error instanceof Error ? error.message : String(error) });
    });
});
