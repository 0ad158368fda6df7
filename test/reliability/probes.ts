// Small probes the reliability tests share: resident memory of a process, the
// runtime child's pid, waiting for a condition, a seeded random generator.

import { readFileSync } from "node:fs";
import { sleep } from "../../kernel/client.js";
import type { Message } from "../../kernel/messages.js";
import type { TestKernel } from "../helpers/kernel.js";
import { resultText } from "../helpers/kernel.js";

/** Resident set size in MB (VmRSS of /proc/<pid>/status). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Math.round(Number(match[1]) / 102.4) / 10;
}

/** The pid of the kernel's current runtime child (asked of the runtime itself). */
export async function runtimePid(k: TestKernel): Promise<number> {
  const { iopub } = await k.client.execute("process.pid", { store_history: false });
  const pid = Number(resultText(iopub));
  if (!Number.isInteger(pid)) throw new Error(`no runtime pid: ${JSON.stringify(iopub.map((m) => m.content))}`);
  return pid;
}

/** Asks both processes to collect garbage where they can, then reads their RSS. */
export async function settledRss(k: TestKernel): Promise<{ kernel: number; runtime: number; runtimePid: number }> {
  const pid = await runtimePid(k);
  await k.client.execute("globalThis.gc?.()", { store_history: false });
  await sleep(200);
  return { kernel: rssMb(k.kernel.process.pid!), runtime: rssMb(pid), runtimePid: pid };
}

/**
 * Polls until `condition` holds; false if it never did within `limitMs`.
 * The limit is a failure guard, not a measurement: no test asserts on time.
 */
export async function eventually(condition: () => boolean, limitMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

/** mulberry32: a small seeded generator, so a failing fuzz run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const typesOf = (iopub: Message[]) => iopub.map((message) => message.header.msg_type);

export function errorOf(iopub: Message[]): { ename: string; evalue: string; traceback: string[] } | undefined {
  const error = iopub.find((message) => message.header.msg_type === "error");
  return error?.content as { ename: string; evalue: string; traceback: string[] } | undefined;
}

/** Lines of the kernel's stderr that match. */
export function stderrLines(k: TestKernel, pattern: RegExp): string[] {
  return k.kernel
    .stderr()
    .split("\n")
    .filter((line) => pattern.test(line));
}
