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
 */
import { Session } from "node:inspector";
import { parentPort, workerData } from "node:worker_threads";
import { countReferences, Snapshot } from "./snapshot.js";

export interface ProbeRequest {
  readonly kind: "refcount" | "classes";
  readonly probeClass: string;
  readonly classNames?: readonly string[];
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

async function takeSnapshot(): Promise<Snapshot> {
  const session = new Session();
  session.connectToMainThread();
  const chunks: string[] = [];
  session.on("HeapProfiler.addHeapSnapshotChunk", (message: { params: { chunk: string } }) => {
    chunks.push(message.params.chunk);
  });
  try {
    // Caches scripts' line ends: without it a snapshot costs O(functions × script size) on V8 11.3.
    await post(session, "Debugger.enable");
    await post(session, "Debugger.disable");
    await post(session, "HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  } finally {
    session.disconnect();
  }
  return new Snapshot(JSON.parse(chunks.join("")) as ConstructorParameters<typeof Snapshot>[0]);
}

function reply(result: object): void {
  let encoded = new TextEncoder().encode(JSON.stringify(result));
  if (encoded.length > bytes.length) {
    encoded = new TextEncoder().encode(JSON.stringify({ error: `heap probe result too large (${encoded.length} bytes)` }));
  }
  bytes.set(encoded);
  Atomics.store(control, 1, encoded.length);
  Atomics.store(control, 0, 1);
  Atomics.notify(control, 0);
}

parentPort?.on("message", (request: ProbeRequest) => {
  takeSnapshot()
    .then((snap) => {
      if (request.kind === "refcount") reply(countReferences(snap, request.probeClass));
      else reply({ classes: snap.classCounts(request.classNames), nodes: snap.nodeCount });
    })
    .catch((error: unknown) => {
      reply({ error: error instanceof Error ? error.message : String(error) });
    });
});
