/**
 * Synchronous heap probes for `gc.heap`, and for `gc.refcount`/`gc.referrers`
 * where the reference walk (reference-walk.ts) cannot answer.
 *
 * CPython answers these from the object header and the GC's lists in O(1)/O(n).
 * Here each call takes a V8 heap snapshot: hundreds of ms on a small heap, and
 * about 5 s on 50 MB of small objects (measured on 2 slow cores: V8 building the
 * snapshot 3–6 s, serialising it 1.5–2 s; the parse overlaps, in the worker).
 * The main thread marks
 * the object with a probe holder, posts a request to the worker
 * (heap-probe-worker.ts) and blocks in `Atomics.wait` until the worker, which
 * drives the snapshot through its inspector session, has written the answer
 * into shared memory.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ProbeRequest, ProbeTimings } from "./heap-probe-worker.js";
import type { Realm } from "./realm.js";
import type { RefcountResult } from "./snapshot.js";

const PROBE_CLASS = "EphemeronHeapProbe";
const RESULT_BYTES = 8 << 20;
const TIMEOUT_MS = 120_000;

/** Found in the snapshot by its class name: `target` is the object asked about. */
class EphemeronHeapProbe {
  constructor(
    readonly target: object | undefined,
    /** The realm's global proxy: leads to the global object (globals are its properties). */
    readonly g: object,
  ) {}
}

let worker: Worker | undefined;
let shared: SharedArrayBuffer | undefined;
/** Bytes of the probe's own result buffer: ephemeron's memory, not the notebook's (gc.heap() leaves it out). */
export const probeBufferBytes = (): number => shared?.byteLength ?? 0;
let timings: ProbeTimings | undefined;
/** Where the last probe's time went (for benchmarks and diagnostics). */
export const lastProbeTimings = (): ProbeTimings | undefined => timings;
/** The probe in progress; module-level so it is reachable but not on the stack. */
let activeProbe: EphemeronHeapProbe | undefined;

function ensureWorker(): { worker: Worker; shared: SharedArrayBuffer } {
  if (worker === undefined || shared === undefined) {
    shared = new SharedArrayBuffer(8 + RESULT_BYTES);
    worker = new Worker(fileURLToPath(new URL("./heap-probe-worker.js", import.meta.url)), {
      workerData: { shared },
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on("error", () => {
      worker = undefined;
      shared = undefined;
    });
  }
  return { worker, shared };
}

/**
 * After Runtime.terminateExecution ended a probe's wait (an interrupt, which runs no `finally`): lets
 * go of its holder, which kept the object asked about alive through every gc() until the next probe.
 * Called when no probe runs: a probe is synchronous.
 */
export function abandonProbe(): void {
  activeProbe = undefined;
}

let lastRequest = 0;

function request<T>(req: Omit<ProbeRequest, "id">, probe: EphemeronHeapProbe): T {
  const { worker: w, shared: buffer } = ensureWorker();
  // control[0]: the id of the request answered last; control[1]: the answer's length.
  const control = new Int32Array(buffer, 0, 2);
  const id = ++lastRequest;
  activeProbe = probe;
  let answered = false;
  try {
    w.postMessage({ ...req, id } satisfies ProbeRequest);
    // An interrupt can end a wait before its answer came (no finally runs then): that answer comes
    // later, and must not be taken for this one's.
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const current = Atomics.load(control, 0);
      if (current === id) {
        answered = true;
        break;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(control, 0, current, left);
    }
  } finally {
    activeProbe = undefined;
  }
  if (!answered) throw new Error("heap probe timed out");
  const length = Atomics.load(control, 1);
  const text = new TextDecoder().decode(new Uint8Array(buffer, 8, length).slice());
  const result = JSON.parse(text) as (T & { timings?: ProbeTimings }) | { error: string };
  if (typeof result === "object" && result !== null && "error" in result) throw new Error(result.error);
  timings = result.timings;
  delete result.timings;
  return result;
}

export interface ClassCounts {
  readonly classes: Record<string, number>;
  readonly nodes: number;
}

export class HeapProbe {
  constructor(private readonly realm: Realm) {}

  refcount(obj: object): RefcountResult {
    const globalOrder = Reflect.ownKeys(this.realm.globalThis).filter((key): key is string => typeof key === "string");
    return request<RefcountResult>(
      { kind: "refcount", probeClass: PROBE_CLASS, globalOrder },
      new EphemeronHeapProbe(obj, this.realm.globalThis),
    );
  }

  classCounts(classNames: readonly string[] | undefined): ClassCounts {
    return request<ClassCounts>(
      { kind: "classes", probeClass: PROBE_CLASS, classNames },
      new EphemeronHeapProbe(undefined, this.realm.globalThis),
    );
  }

  /** Whether a probe is in progress (for tests and diagnostics). */
  static get busy(): boolean {
    return activeProbe !== undefined;
  }
}
