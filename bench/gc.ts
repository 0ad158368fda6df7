// ephemeron's teaching API alone (no peer has it): `await gc()` on a small
// heap, then `gc.refcount()` on a runtime holding about 50 MB of objects (a
// walk of the notebook's objects; a heap snapshot, seconds on this heap, only
// where the walk cannot see every reference). Reports "not available" when the
// runtime lacks the API.

import { codeFor, type KernelDef } from "./kernels.js";
import { BenchKernel, resultText } from "./session.js";
import { median, round } from "./stats.js";

export interface GcResult {
  available: boolean;
  note?: string;
  trivialP50Ms?: number;
  gcSmallHeapP50Ms?: number;
  gcSmallHeapSamples?: number;
  /** `await gc()` timed inside the cell: the collection itself, without the cell's round trip and type check. */
  gcSmallHeapInCellP50Ms?: number;
  heapUsedMB?: number;
  refcountP50Ms?: number;
  refcountSamples?: number;
  /** `gc.refcount()` timed inside the cell. */
  refcountInCellP50Ms?: number;
  refcountValue?: string;
  gcLargeHeapP50Ms?: number;
  errors: string[];
}

// The probe reaches the API through globalThis so that it type-checks whatever the globals' declarations say.
// (Not `await (globalThis as any).gc()`: ephemeron's checker reads a cell that starts with `await (` as a call of a
// function named await, TS2311.)
const PROBE = `typeof (globalThis as any).gc === "function" && typeof (globalThis as any).gc.refcount === "function"`;
const GC = "await gc()";
const FILL = [
  "const benchBig: { i: number; s: string }[] = [];",
  'for (let i = 0; i < 450_000; i++) benchBig.push({ i, s: "item " + i });',
  "const benchTarget = { name: \"target\" };",
  "const benchAlias = benchTarget;",
  "Math.round(process.memoryUsage().heapUsed / 1e6)",
].join("\n");
const REFCOUNT = "gc.refcount(benchTarget)";
/** The same work timed by the runtime's own clock, so the cell's round trip is not in it. */
const GC_IN_CELL = "const gcT0 = performance.now();\nawait gc();\nperformance.now() - gcT0";
const REFCOUNT_IN_CELL = "const rcT0 = performance.now();\ngc.refcount(benchTarget);\nperformance.now() - rcT0";

async function inCell(session: BenchKernel, code: string, count: number, timeoutMs: number, budgetMs: number): Promise<number[]> {
  const { texts } = await timed(session, code, count, timeoutMs, budgetMs);
  return texts.map(Number).filter((n) => Number.isFinite(n));
}

async function timed(session: BenchKernel, code: string, count: number, timeoutMs: number, budgetMs: number): Promise<{ times: number[]; text?: string; texts: string[] }> {
  const times: number[] = [];
  const texts: string[] = [];
  let text: string | undefined;
  const deadline = Date.now() + budgetMs;
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const { ms, exchange } = await session.run(code, timeoutMs);
    times.push(ms);
    text = resultText(exchange);
    if (text !== undefined) texts.push(text);
  }
  return { times, text, texts };
}

export async function gcScenario(def: KernelDef, log: (line: string) => void): Promise<GcResult> {
  const result: GcResult = { available: false, errors: [] };
  let session: BenchKernel | undefined;
  try {
    session = await BenchKernel.start(def);
    const probe = await session.run(PROBE);
    if (resultText(probe.exchange) !== "true") {
      result.note = "not available: the runtime has no gc()/gc.refcount() yet";
      log(`  gc: ${result.note}`);
      return result;
    }
    result.available = true;
    const trivial = await timed(session, codeFor(def).trivial, 20, 10_000, 10_000);
    result.trivialP50Ms = round(median(trivial.times), 3);
    await timed(session, GC, 3, 30_000, 30_000);
    const small = await timed(session, GC, 20, 30_000, 30_000);
    result.gcSmallHeapP50Ms = round(median(small.times), 3);
    result.gcSmallHeapSamples = small.times.length;
    result.gcSmallHeapInCellP50Ms = round(median(await inCell(session, GC_IN_CELL, 20, 30_000, 30_000)), 3);
    const fill = await session.run(FILL, 60_000);
    result.heapUsedMB = Number(resultText(fill.exchange));
    const refcount = await timed(session, REFCOUNT, 3, 60_000, 40_000);
    result.refcountP50Ms = round(median(refcount.times), 1);
    result.refcountSamples = refcount.times.length;
    result.refcountValue = refcount.text;
    result.refcountInCellP50Ms = round(median(await inCell(session, REFCOUNT_IN_CELL, 2, 60_000, 30_000)), 1);
    const large = await timed(session, GC, 5, 60_000, 30_000);
    result.gcLargeHeapP50Ms = round(median(large.times), 1);
    log(`  gc: small heap ${result.gcSmallHeapP50Ms} ms (trivial cell ${result.trivialP50Ms} ms); heap ${result.heapUsedMB} MB: refcount ${result.refcountP50Ms} ms = ${result.refcountValue}, gc ${result.gcLargeHeapP50Ms} ms`);
  } catch (error) {
    result.errors.push((error as Error).message);
    if (!result.available) result.note = `not available: ${(error as Error).message}`;
    log(`  gc: ${(error as Error).message}`);
  } finally {
    await session?.stop();
  }
  return result;
}
