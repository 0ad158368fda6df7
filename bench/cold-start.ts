// Cold start: launch → kernel_info_reply and launch → the first execute_reply
// of a trivial cell (sent as soon as kernel_info is answered, as a client
// does), over `starts` launches per kernel, the kernels taking turns.

import { newConnectionInfo } from "../kernel/kernelspec.js";
import type { KernelDef } from "./kernels.js";
import { codeFor } from "./kernels.js";
import { BenchKernel } from "./session.js";
import { EXECUTE_DEFAULTS, ShellProbe } from "./shell-probe.js";
import { median, round } from "./stats.js";

export interface ColdStartResult {
  kernelInfoMs: number[];
  firstExecuteMs: number[];
  medianKernelInfoMs: number;
  medianFirstExecuteMs: number;
  errors: string[];
}

/** One launch: returns [launch → kernel_info_reply, launch → first execute_reply] in ms. */
export async function coldStartOnce(def: KernelDef, firstCell: string, timeoutMs = 30_000): Promise<[number, number]> {
  const info = await newConnectionInfo();
  const probe = new ShellProbe(info);
  const kernel = await BenchKernel.launch(def, info);
  try {
    const infoReply = await probe.request("kernel_info_request", {}, timeoutMs);
    const exec = await probe.request("execute_request", { ...EXECUTE_DEFAULTS, code: firstCell }, timeoutMs);
    const status = (exec.reply.content as { status?: string }).status;
    if (status !== "ok") throw new Error(`first cell replied ${status}`);
    return [infoReply.at - kernel.launchedAt, exec.at - kernel.launchedAt];
  } finally {
    probe.close();
    await kernel.stop();
  }
}

export async function coldStart(kernels: KernelDef[], starts: number, log: (line: string) => void): Promise<Record<string, ColdStartResult>> {
  const results: Record<string, ColdStartResult> = {};
  for (const k of kernels) results[k.id] = { kernelInfoMs: [], firstExecuteMs: [], medianKernelInfoMs: NaN, medianFirstExecuteMs: NaN, errors: [] };
  for (let round_ = 0; round_ < starts; round_++) {
    for (const def of kernels) {
      const result = results[def.id]!;
      try {
        const [info, exec] = await coldStartOnce(def, codeFor(def).trivial);
        result.kernelInfoMs.push(round(info));
        result.firstExecuteMs.push(round(exec));
      } catch (error) {
        result.errors.push((error as Error).message);
      }
    }
    log(`  cold start round ${round_ + 1}/${starts}: ${kernels.map((k) => `${k.id} ${results[k.id]!.kernelInfoMs.at(-1)?.toFixed(0)}/${results[k.id]!.firstExecuteMs.at(-1)?.toFixed(0)} ms`).join(", ")}`);
  }
  for (const result of Object.values(results)) {
    result.medianKernelInfoMs = round(median(result.kernelInfoMs));
    result.medianFirstExecuteMs = round(median(result.firstExecuteMs));
  }
  return results;
}
