// Messages between the checker facade (main thread) and its worker.

import type { CheckedText } from "./cell-source.js";

/**
 * Requests about a cell carry it parsed already (`checked`): swc parses it on the kernel's main
 * thread, which has it loaded for the transform. (Loaded in the worker, swc's native module
 * crashes the process when a second worker loads it after the first one was terminated.)
 */
export type WorkerRequest =
  | { id: number; op: "check"; source: string; checked: CheckedText }
  | { id: number; op: "accept"; source: string; checked: CheckedText }
  | { id: number; op: "complete"; source: string; checked: CheckedText; cursorPos: number }
  | { id: number; op: "inspect"; source: string; checked: CheckedText; cursorPos: number; detailLevel: 0 | 1 }
  | { id: number; op: "dispose" };

export type WorkerReply =
  | { kind: "ready"; warmupMs: number }
  | { kind: "result"; id: number; value: unknown; ms: number }
  | { kind: "error"; id: number; error: string }
  | { kind: "fatal"; id?: number; error: string };

