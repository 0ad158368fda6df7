// A loop at a cell's top level over a variable of the notebook
// (`let total = 0; for (…) total += i`), the kernels taking turns: how long a
// user's plain computation takes in each kernel. Notebook variables are
// properties of the context's global object (an ordinary one: node:vm's
// contextified global read each through Node's interceptors, 60 times slower);
// no target, a figure to watch.

import { codeFor } from "./kernels.js";
import type { BenchKernel } from "./session.js";
import { median, round } from "./stats.js";

export interface TopLevelLoopResult {
  iterations: number;
  runsMs: number[];
  medianMs: number | null;
  value: string | null;
  errors: string[];
}

export async function topLevelLoop(sessions: BenchKernel[], iterations: number, runs: number, log: (line: string) => void): Promise<Record<string, TopLevelLoopResult>> {
  const results: Record<string, TopLevelLoopResult> = {};
  for (const s of sessions) results[s.def.id] = { iterations, runsMs: [], medianMs: null, value: null, errors: [] };
  for (let run = 0; run < runs; run++) {
    for (const s of sessions) {
      const result = results[s.def.id]!;
      if (result.errors.length > 0) continue;
      try {
        const { ms, exchange } = await s.run(codeFor(s.def).topLevelLoop(iterations), 120_000);
        const shown = exchange.iopub.find((m) => m.header.msg_type === "execute_result")?.content as { data?: Record<string, string> } | undefined;
        result.value = shown?.data?.["text/plain"] ?? null;
        result.runsMs.push(round(ms, 3));
      } catch (error) {
        result.errors.push((error as Error).message);
      }
    }
  }
  for (const [id, r] of Object.entries(results)) {
    r.medianMs = r.runsMs.length > 0 ? round(median(r.runsMs), 3) : null;
    log(`  top-level loop ${id}: median ${r.medianMs} ms over ${r.runsMs.length} runs, value ${r.value}${r.errors.length ? `, error: ${r.errors[0]}` : ""}`);
  }
  return results;
}
