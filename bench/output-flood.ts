// A cell printing 10,000 lines with the language's own print loop: time to
// idle, how many stream messages carried the lines, whether every line came,
// in order, before idle, and how many came after it. The first run is analysed
// in full; the time to idle is the median of that run and a few more.

import { performance } from "node:perf_hooks";
import type { Message } from "../kernel/messages.js";
import { codeFor } from "./kernels.js";
import type { BenchKernel } from "./session.js";
import { streamText } from "./session.js";
import { median, round } from "./stats.js";
import { sleep } from "../kernel/client.js";

export interface FloodResult {
  lines: number;
  /** Send → status idle in the first run; null when idle never came. */
  idleMs: number | null;
  /** Send → reply and idle of every run (the first one included). */
  idleRunsMs: number[];
  /** Median of idleRunsMs: what the comparison uses (one run is at the mercy of the machine's noise). */
  idleMedianMs: number | null;
  /** Send → the last line's arrival (before or after idle). */
  lastLineMs: number | null;
  streamMessagesBeforeIdle: number;
  streamMessagesAfterIdle: number;
  linesBeforeIdle: number;
  linesAfterIdle: number;
  allLinesInOrderBeforeIdle: boolean;
  allLinesInOrderEventually: boolean;
  error?: string;
}

function countLines(text: string): number {
  return text === "" ? 0 : text.split("\n").filter((line) => line !== "").length;
}

function inOrder(text: string, n: number): boolean {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.length === n && lines.every((line, i) => line === String(i));
}

export async function outputFlood(session: BenchKernel, n: number, idleTimeoutMs: number, afterIdleMs: number): Promise<FloodResult> {
  const before: Message[] = [];
  const arrivals: { message: Message; at: number }[] = [];
  let idleAt: number | null = null;
  let parentId: string | undefined;
  const start = performance.now();
  let error: string | undefined;
  try {
    await session.execute(codeFor(session.def).printLines(n), idleTimeoutMs, {
      onIopub: (message) => {
        parentId ??= (message.parent_header as { msg_id?: string }).msg_id;
        const at = performance.now();
        if (idleAt === null) before.push(message);
        arrivals.push({ message, at });
        if (message.header.msg_type === "status" && (message.content as { execution_state?: string }).execution_state === "idle") idleAt = at;
      },
    });
  } catch (e) {
    error = (e as Error).message;
  }
  // Output published after idle lands in the client's unclaimed list: wait, then collect this request's.
  // Polled every 5 ms so that late lines get an arrival time too.
  const unclaimedFrom = session.unclaimed.length;
  const after: Message[] = [];
  // Until `afterIdleMs` pass with nothing new for this request, 15 s at most.
  const waitStart = performance.now();
  let quietSince = waitStart;
  while (performance.now() - quietSince < afterIdleMs && performance.now() - waitStart < 15_000) {
    await sleep(5);
    const fresh = session.unclaimed.slice(unclaimedFrom + after.length);
    const at = performance.now();
    if (fresh.some((m) => (m.parent_header as { msg_id?: string }).msg_id === parentId)) quietSince = at;
    for (const message of fresh) {
      after.push(message);
      if ((message.parent_header as { msg_id?: string }).msg_id === parentId) arrivals.push({ message, at });
    }
  }
  after.splice(0, after.length, ...after.filter((m) => (m.parent_header as { msg_id?: string }).msg_id === parentId));
  const beforeStreams = before.filter((m) => m.header.msg_type === "stream");
  const afterStreams = after.filter((m) => m.header.msg_type === "stream");
  const textBefore = streamText(before);
  const textAll = textBefore + streamText(after);
  const streamArrivals = arrivals.filter((a) => a.message.header.msg_type === "stream");
  const lastStreamAt = streamArrivals.at(-1)?.at;
  const idleMs = idleAt === null ? null : round(idleAt - start, 2);
  return {
    lines: n,
    idleMs,
    idleRunsMs: idleMs === null ? [] : [idleMs],
    idleMedianMs: idleMs,
    lastLineMs: lastStreamAt === undefined ? null : round(Math.max(lastStreamAt, idleAt ?? 0) - start, 2),
    streamMessagesBeforeIdle: beforeStreams.length,
    streamMessagesAfterIdle: afterStreams.length,
    linesBeforeIdle: countLines(textBefore),
    linesAfterIdle: countLines(streamText(after)),
    allLinesInOrderBeforeIdle: idleAt !== null && inOrder(textBefore, n),
    allLinesInOrderEventually: inOrder(textAll, n),
    ...(error ? { error } : {}),
  };
}

/** Runs the flood again and adds its time to the result (only for a kernel whose first flood reached idle). */
export async function floodAgain(session: BenchKernel, n: number, timeoutMs: number, result: FloodResult): Promise<void> {
  if (result.idleMs === null) return;
  try {
    const { ms } = await session.execute(codeFor(session.def).printLines(n), timeoutMs);
    result.idleRunsMs.push(round(ms, 2));
    result.idleMedianMs = round(median(result.idleRunsMs), 2);
  } catch {
    // A run that times out adds no figure; the first run's analysis stands.
  }
  // Output a kernel sends after idle (Deno's) must not land in the next kernel's run.
  const waitStart = performance.now();
  let seen = session.unclaimed.length;
  let quietSince = waitStart;
  while (performance.now() - quietSince < 300 && performance.now() - waitStart < 15_000) {
    await sleep(20);
    if (session.unclaimed.length !== seen) {
      seen = session.unclaimed.length;
      quietSince = performance.now();
    }
  }
}
