// Messages between the checker facade (main thread) and its worker.

export type WorkerRequest =
  | { id: number; op: "check"; source: string }
  | { id: number; op: "accept"; source: string }
  | { id: number; op: "complete"; source: string; cursorPos: number }
  | { id: number; op: "inspect"; source: string; cursorPos: number; detailLevel: 0 | 1 }
  | { id: number; op: "dispose" };

export type WorkerReply =
  | { kind: "ready"; warmupMs: number }
  | { kind: "result"; id: number; value: unknown; ms: number }
  | { kind: "error"; id: number; error: string }
  | { kind: "fatal"; id?: number; error: string };

/** The hidden folder, in the notebook's folder, that holds the cell files of the worker `threadId` of process `pid`. */
export function cellFolderName(pid: number, threadId: number): string {
  return `.ephemeron-cells-${pid}-${threadId}`;
}

/** Matches the names cellFolderName gives; the first group is the process id. */
export const CELL_FOLDER_PATTERN = /^\.ephemeron-cells-(\d+)-\d+$/;
