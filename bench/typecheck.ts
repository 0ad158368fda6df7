// A type-checked cell's cost on the 1st and the 50th cell of a session. Each
// kernel is launched with a shell probe and sent its first annotated cell as
// soon as kernel_info is answered (launch → that reply is "first cell after
// start", the median of several launches); then cells 2…N, the kernels taking
// turns cell by cell. ephemeron's
// overhead is its time minus the same cell's time in a --no-typecheck kernel.

import { performance } from "node:perf_hooks";
import { newConnectionInfo } from "../kernel/kernelspec.js";
import { codeFor, type KernelDef } from "./kernels.js";
import { BenchKernel } from "./session.js";
import { EXECUTE_DEFAULTS, ShellProbe } from "./shell-probe.js";
import { median, round } from "./stats.js";

export interface TypecheckKernelResult {
  /** Launch → execute_reply of the first annotated cell (sent when kernel_info is answered): the median of the launches. */
  firstCellAfterLaunchMs: number | null;
  /** That first cell alone: its send → its reply (median). */
  firstCellMs: number | null;
  /** Each launch's launch → first reply, and first cell alone. */
  launches: { afterLaunchMs: number; cellMs: number }[];
  /** Cell 50: send → reply and idle. */
  cell50Ms: number | null;
  /** p50 over cells 11…N (after warm-up). */
  p50WarmMs: number | null;
  cellsMs: number[];
  errors: string[];
}

export interface TypecheckResult {
  cells: number;
  kernels: Record<string, TypecheckKernelResult>;
  /** ephemeron minus ephemeron --no-typecheck, same cell index. */
  overhead?: { firstCellAfterLaunchMs: number | null; firstCellMs: number | null; cell50Ms: number | null; p50WarmMs: number | null };
}

/**
 * `launches`: how many fresh kernels of each kind answer a first cell (a single start is at the
 * mercy of one moment's load); the kinds take turns, and the last kernel of each goes on to cells 2…N.
 */
export async function typecheckOverhead(defs: KernelDef[], cells: number, launches: number, log: (line: string) => void): Promise<TypecheckResult> {
  const results: Record<string, TypecheckKernelResult> = {};
  const sessions: BenchKernel[] = [];
  try {
    for (const def of defs) results[def.id] = { firstCellAfterLaunchMs: null, firstCellMs: null, launches: [], cell50Ms: null, p50WarmMs: null, cellsMs: [], errors: [] };
    for (let launch = 1; launch <= launches; launch++) {
      for (const def of defs) {
        const result = results[def.id]!;
        if (result.errors.length > 0) continue;
        const info = await newConnectionInfo();
        const probe = new ShellProbe(info);
        let kernel: BenchKernel | undefined;
        try {
          kernel = await BenchKernel.launch(def, info);
          await probe.request("kernel_info_request", {}, 30_000);
          const sent = performance.now();
          const first = await probe.request("execute_request", { ...EXECUTE_DEFAULTS, code: codeFor(def).typed(1) }, 30_000);
          const status = (first.reply.content as { status?: string; evalue?: string }).status;
          if (status !== "ok") throw new Error(`first annotated cell replied ${status}: ${(first.reply.content as { evalue?: string }).evalue ?? ""}`);
          result.launches.push({ afterLaunchMs: round(first.at - kernel.launchedAt), cellMs: round(first.at - sent) });
          if (launch < launches) {
            await kernel.stop();
            continue;
          }
          await kernel.connect(30_000);
          sessions.push(kernel);
        } catch (error) {
          result.errors.push((error as Error).message);
          await kernel?.stop();
        } finally {
          probe.close();
        }
      }
    }
    for (const result of Object.values(results)) {
      if (result.launches.length === 0) continue;
      result.firstCellAfterLaunchMs = round(median(result.launches.map((l) => l.afterLaunchMs)));
      result.firstCellMs = round(median(result.launches.map((l) => l.cellMs)));
      result.cellsMs.push(result.launches[result.launches.length - 1]!.cellMs);
    }
    for (let i = 2; i <= cells; i++) {
      for (const session of sessions) {
        const result = results[session.def.id]!;
        if (result.errors.length >= 3) continue;
        try {
          const { ms } = await session.run(codeFor(session.def).typed(i), 30_000);
          result.cellsMs.push(round(ms, 3));
        } catch (error) {
          result.errors.push(`cell ${i}: ${(error as Error).message}`);
          result.cellsMs.push(NaN);
        }
      }
    }
  } finally {
    for (const session of sessions) await session.stop();
  }
  for (const result of Object.values(results)) {
    result.cell50Ms = Number.isFinite(result.cellsMs[49]) ? result.cellsMs[49]! : null;
    const warm = result.cellsMs.slice(10).filter(Number.isFinite);
    result.p50WarmMs = warm.length ? round(median(warm), 3) : null;
  }
  const on = results["ephemeron"];
  const off = results["ephemeron-no-typecheck"];
  const out: TypecheckResult = { cells, kernels: results };
  if (on && off) {
    const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a - b, 3));
    const perCell = on.cellsMs.slice(10).map((v, i) => v - off.cellsMs[10 + i]!).filter(Number.isFinite);
    out.overhead = {
      firstCellAfterLaunchMs: diff(on.firstCellAfterLaunchMs, off.firstCellAfterLaunchMs),
      firstCellMs: diff(on.firstCellMs, off.firstCellMs),
      cell50Ms: diff(on.cell50Ms, off.cell50Ms),
      p50WarmMs: perCell.length ? round(median(perCell), 3) : null,
    };
  }
  for (const [id, r] of Object.entries(results)) {
    log(`  typecheck ${id}: first after launch ${r.firstCellAfterLaunchMs} ms, first ${r.firstCellMs} ms, 50th ${r.cell50Ms} ms, warm p50 ${r.p50WarmMs} ms${r.errors.length ? `, errors: ${r.errors[0]}` : ""}`);
  }
  return out;
}
