// Execute round trip of a trivial cell, request → reply and idle: a warm-up,
// then `rounds` batches of `batch` cells per kernel, the kernels taking turns
// batch by batch so that machine noise falls on all of them alike.

import type { BenchKernel } from "./session.js";
import { codeFor } from "./kernels.js";
import { median, quantile, round } from "./stats.js";

export interface RoundTripResult {
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  errors: string[];
}

export async function roundTrip(
  sessions: BenchKernel[],
  options: { warmUp: number; rounds: number; batch: number },
  log: (line: string) => void,
): Promise<Record<string, RoundTripResult>> {
  const samples = new Map<string, number[]>(sessions.map((s) => [s.def.id, []]));
  const errors = new Map<string, string[]>(sessions.map((s) => [s.def.id, []]));
  const failed = new Set<string>();
  const runBatch = async (session: BenchKernel, count: number, keep: boolean) => {
    const code = codeFor(session.def).trivial;
    for (let i = 0; i < count && !failed.has(session.def.id); i++) {
      try {
        const { ms } = await session.run(code, 10_000);
        if (keep) samples.get(session.def.id)!.push(ms);
      } catch (error) {
        errors.get(session.def.id)!.push((error as Error).message);
        if (errors.get(session.def.id)!.length >= 3) failed.add(session.def.id);
      }
    }
  };
  for (const session of sessions) await runBatch(session, options.warmUp, false);
  for (let r = 0; r < options.rounds; r++) {
    for (const session of sessions) await runBatch(session, options.batch, true);
  }
  const results: Record<string, RoundTripResult> = {};
  for (const session of sessions) {
    const values = samples.get(session.def.id)!;
    results[session.def.id] = {
      samples: values.length,
      p50Ms: round(median(values), 3),
      p90Ms: round(quantile(values, 0.9), 3),
      p99Ms: round(quantile(values, 0.99), 3),
      errors: errors.get(session.def.id)!,
    };
    log(`  round trip ${session.def.id}: p50 ${results[session.def.id]!.p50Ms} ms, p99 ${results[session.def.id]!.p99Ms} ms (${values.length})`);
  }
  return results;
}
