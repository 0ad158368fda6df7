// Cells that import a module of the language's standard library, each a module
// not imported before in the session, and the plain cell after each: how long
// a notebook's first cells take (request → reply and idle), the kernels taking
// turns cell by cell. A type-checking kernel checks each import against the
// module's types; no target, a figure to watch.

import { codeFor } from "./kernels.js";
import type { BenchKernel } from "./session.js";
import { median, round } from "./stats.js";

export interface ImportCellsResult {
  importMs: number[];
  afterMs: number[];
  medianImportMs: number | null;
  medianAfterMs: number | null;
  errors: string[];
}

export async function importCells(sessions: BenchKernel[], log: (line: string) => void): Promise<Record<string, ImportCellsResult>> {
  const results: Record<string, ImportCellsResult> = {};
  for (const s of sessions) results[s.def.id] = { importMs: [], afterMs: [], medianImportMs: null, medianAfterMs: null, errors: [] };
  const count = Math.min(...sessions.map((s) => codeFor(s.def).importCells.length));
  for (let i = 0; i < count; i++) {
    for (const s of sessions) {
      const result = results[s.def.id]!;
      if (result.errors.length > 0) continue;
      const code = codeFor(s.def);
      try {
        result.importMs.push(round((await s.run(code.importCells[i]!, 60_000)).ms, 3));
        result.afterMs.push(round((await s.run(code.binding(9000 + i), 60_000)).ms, 3));
      } catch (error) {
        result.errors.push((error as Error).message);
      }
    }
  }
  for (const [id, r] of Object.entries(results)) {
    r.medianImportMs = r.importMs.length > 0 ? round(median(r.importMs), 3) : null;
    r.medianAfterMs = r.afterMs.length > 0 ? round(median(r.afterMs), 3) : null;
    log(`  import cells ${id}: median ${r.medianImportMs} ms, the cell after ${r.medianAfterMs} ms over ${r.importMs.length}${r.errors.length ? `, error: ${r.errors[0]}` : ""}`);
  }
  return results;
}
