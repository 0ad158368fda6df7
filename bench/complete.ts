// complete_request latency after `Math.` (Python: `math.` once math is
// imported), the kernels taking turns; also whether the answer offers `floor`.

import { codeFor } from "./kernels.js";
import type { BenchKernel } from "./session.js";
import { median, quantile, round } from "./stats.js";

export interface CompleteResult {
  samples: number;
  p50Ms: number | null;
  p90Ms: number | null;
  matches: number | null;
  offersExpected: boolean;
  errors: string[];
}

export async function completion(sessions: BenchKernel[], warmUp: number, samples: number, log: (line: string) => void): Promise<Record<string, CompleteResult>> {
  const results: Record<string, CompleteResult> = {};
  const times = new Map<string, number[]>();
  for (const s of sessions) {
    results[s.def.id] = { samples: 0, p50Ms: null, p90Ms: null, matches: null, offersExpected: false, errors: [] };
    times.set(s.def.id, []);
    const setup = codeFor(s.def).completeSetup;
    if (setup) await s.run(setup).catch((error: Error) => results[s.def.id]!.errors.push(error.message));
  }
  for (let i = 0; i < warmUp + samples; i++) {
    for (const s of sessions) {
      const result = results[s.def.id]!;
      if (result.errors.length >= 3) continue;
      const code = codeFor(s.def).completeCode;
      try {
        const { ms, exchange } = await s.request("complete_request", { code, cursor_pos: code.length }, 15_000);
        const matches = ((exchange.reply.content as { matches?: string[] }).matches ?? []) as string[];
        if (i >= warmUp) times.get(s.def.id)!.push(ms);
        result.matches = matches.length;
        result.offersExpected = matches.some((m) => m.endsWith(codeFor(s.def).completeExpect));
      } catch (error) {
        result.errors.push((error as Error).message);
      }
    }
  }
  for (const s of sessions) {
    const result = results[s.def.id]!;
    const t = times.get(s.def.id)!;
    result.samples = t.length;
    result.p50Ms = t.length ? round(median(t), 3) : null;
    result.p90Ms = t.length ? round(quantile(t, 0.9), 3) : null;
    log(`  complete ${s.def.id}: p50 ${result.p50Ms} ms, ${result.matches} matches, offers floor: ${result.offersExpected}`);
  }
  return results;
}
