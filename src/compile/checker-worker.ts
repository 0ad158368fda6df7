// The checker's worker thread: owns the CellProject (TypeScript 7's native
// checker behind a synchronous API) so that the kernel's main thread never
// blocks on it. Requests arrive in order and are answered in order.
// A failed request is answered with an error; if the checker process itself
// is gone, the worker exits and the main thread (checker.ts) starts a fresh
// worker once.

import { parentPort, workerData } from "node:worker_threads";
import { CellProject, type CellProjectOptions } from "./cell-project.js";
import type { WorkerReply, WorkerRequest } from "./checker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("checker-worker.ts must run in a worker thread");

const started = performance.now();
let project: CellProject;
try {
  project = new CellProject(workerData as CellProjectOptions);
  port.postMessage({ kind: "ready", warmupMs: performance.now() - started } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ kind: "fatal", error: describe(error) } satisfies WorkerReply);
  process.exit(1);
}

port.on("message", (request: WorkerRequest) => {
  try {
    const started = performance.now();
    let value: unknown;
    switch (request.op) {
      case "check":
        value = project.check(request.source, request.checked);
        break;
      case "accept":
        project.accept(request.source, request.checked);
        break;
      case "complete":
        value = project.complete(request.source, request.cursorPos, request.checked);
        break;
      case "inspect":
        value = project.inspect(request.source, request.cursorPos, request.detailLevel, request.checked);
        break;
      case "dispose":
        project.dispose();
        break;
    }
    port.postMessage({ kind: "result", id: request.id, value, ms: performance.now() - started } satisfies WorkerReply);
    if (request.op !== "dispose") project.releaseStale();
  } catch (error) {
    // The server answers some requests with an error and carries on; a dead tsgo process fails the probe too.
    if (project.alive()) {
      port.postMessage({ kind: "error", id: request.id, error: describe(error) } satisfies WorkerReply);
    } else {
      port.postMessage({ kind: "fatal", id: request.id, error: describe(error) } satisfies WorkerReply);
      process.exit(1);
    }
  }
});

function describe(error: unknown): string {
  return error instanceof Error ? `${error.message}` : String(error);
}
