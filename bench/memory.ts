// Resident memory of each kernel's whole process tree (kernel, runtime,
// checker, …: VmRSS summed from /proc, and the same with the pages of a file
// that several processes map counted once) after start, after the first annotated
// cell, and after 1,000 cells that each bind a new name, the kernels taking
// turns 100 cells at a time. Also the per-cell time of the first and the last
// 100 of those cells, which shows whether cells get slower as a session grows.

import { sleep } from "../kernel/client.js";
import { codeFor, type KernelDef } from "./kernels.js";
import { treeBreakdown } from "./process-tree.js";
import { BenchKernel } from "./session.js";
import { median, round } from "./stats.js";

export interface MemoryResult {
  afterStartBytes: number | null;
  afterFirstTypedCellBytes: number | null;
  afterCellsBytes: number | null;
  /** The same three, each file page shared by processes of the tree counted once. */
  afterStartSharedOnceBytes: number | null;
  afterFirstTypedCellSharedOnceBytes: number | null;
  afterCellsSharedOnceBytes: number | null;
  cellsRun: number;
  processes: number | null;
  /** Each process of the tree after start: command and VmRSS. */
  afterStartByProcess: { command: string; bytes: number }[];
  first100P50Ms: number | null;
  last100P50Ms: number | null;
  errors: string[];
}

export async function memory(defs: KernelDef[], cells: number, budgetMs: number, log: (line: string) => void): Promise<Record<string, MemoryResult>> {
  const results: Record<string, MemoryResult> = {};
  const sessions: BenchKernel[] = [];
  const times = new Map<string, number[]>();
  try {
    for (const def of defs) {
      const result: MemoryResult = {
        afterStartBytes: null,
        afterFirstTypedCellBytes: null,
        afterCellsBytes: null,
        afterStartSharedOnceBytes: null,
        afterFirstTypedCellSharedOnceBytes: null,
        afterCellsSharedOnceBytes: null,
        cellsRun: 0, processes: null, afterStartByProcess: [], first100P50Ms: null, last100P50Ms: null, errors: [] };
      results[def.id] = result;
      try {
        const session = await BenchKernel.start(def);
        sessions.push(session);
        times.set(def.id, []);
        await session.run(codeFor(def).trivial);
      } catch (error) {
        result.errors.push((error as Error).message);
      }
    }
    await sleep(1500);
    for (const s of sessions) {
      const tree = s.memory();
      results[s.def.id]!.afterStartBytes = tree.bytes;
      results[s.def.id]!.afterStartSharedOnceBytes = tree.sharedOnceBytes;
      results[s.def.id]!.afterStartByProcess = treeBreakdown(s.pid).map(({ command, bytes }) => ({ command, bytes }));
    }
    for (const s of sessions) {
      try {
        await s.run(codeFor(s.def).typed(1));
      } catch (error) {
        results[s.def.id]!.errors.push((error as Error).message);
      }
    }
    await sleep(500);
    for (const s of sessions) {
      const tree = s.memory();
      results[s.def.id]!.afterFirstTypedCellBytes = tree.bytes;
      results[s.def.id]!.afterFirstTypedCellSharedOnceBytes = tree.sharedOnceBytes;
    }
    const deadline = Date.now() + budgetMs;
    for (let from = 0; from < cells; from += 100) {
      for (const s of sessions) {
        const result = results[s.def.id]!;
        for (let i = from; i < Math.min(cells, from + 100) && Date.now() < deadline && result.errors.length < 3; i++) {
          try {
            const { ms } = await s.run(codeFor(s.def).binding(i), 30_000);
            times.get(s.def.id)!.push(ms);
            result.cellsRun++;
          } catch (error) {
            result.errors.push(`cell ${i}: ${(error as Error).message}`);
          }
        }
      }
      if (Date.now() >= deadline) {
        log(`  memory: time budget spent at cell ${from + 100}`);
        break;
      }
    }
    await sleep(1000);
    for (const s of sessions) {
      const result = results[s.def.id]!;
      const tree = s.memory();
      result.afterCellsBytes = tree.bytes;
      result.afterCellsSharedOnceBytes = tree.sharedOnceBytes;
      result.processes = tree.processes;
      const t = times.get(s.def.id)!;
      result.first100P50Ms = t.length ? round(median(t.slice(0, 100)), 3) : null;
      result.last100P50Ms = t.length ? round(median(t.slice(-100)), 3) : null;
      log(`  memory ${s.def.id}: start ${(result.afterStartBytes! / 1e6).toFixed(0)} MB, first typed ${(result.afterFirstTypedCellBytes! / 1e6).toFixed(0)} MB, after ${result.cellsRun} cells ${(tree.bytes / 1e6).toFixed(0)} MB in ${tree.processes} processes; cell p50 first/last 100: ${result.first100P50Ms}/${result.last100P50Ms} ms`);
    }
  } finally {
    for (const s of sessions) await s.stop();
  }
  return results;
}
