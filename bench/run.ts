// `npm run bench`: measures ephemeron against every reference kernel that is
// installed (ipykernel, tslab, Deno), the kernels interleaved in every
// scenario, and writes docs/benchmarks.json and docs/BENCHMARKS.md.
//
//   node dist/bench/run.js [--quick] [--out DIR]
//
// --quick runs few samples (for trying the script out) and writes to a temp
// folder unless --out is given. The whole run stops by itself: every kernel
// operation has a timeout, a deadline ends the run, and every kernel process
// tree is killed at the end, also on failure or on SIGINT/SIGTERM.

import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem, type } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PACKAGE_ROOT } from "../kernel/kernelspec.js";
import { coldStart } from "./cold-start.js";
import { completion } from "./complete.js";
import { gcScenario } from "./gc.js";
import { detectKernels, kernelVersion, type KernelDef } from "./kernels.js";
import { memory } from "./memory.js";
import { nbconvert } from "./nbconvert.js";
import { floodAgain, outputFlood } from "./output-flood.js";
import { renderMarkdown } from "./report.js";
import type { BenchResults } from "./results.js";
import { roundTrip } from "./round-trip.js";
import { startupBreakdown } from "./startup-breakdown.js";
import { BenchKernel, killAllKernels, removeKernelCwd } from "./session.js";
import { checkTargets } from "./targets.js";
import { typecheckOverhead } from "./typecheck.js";
import { topLevelLoop } from "./top-level-loop.js";
import { importCells } from "./import-cells.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const outIndex = args.indexOf("--out");
const outDir = outIndex >= 0 ? args[outIndex + 1]! : quick ? join(tmpdir(), "ephemeron-bench-quick") : join(PACKAGE_ROOT, "docs");

const settings = quick
  ? { loopIterations: 1_000_000, loopRuns: 1, coldStarts: 2, roundTripWarmUp: 5, roundTripRounds: 2, roundTripBatch: 10, completeWarmUp: 2, completeSamples: 5, floodLines: 10_000, floodAfterIdleMs: 1500, floodRuns: 2, typecheckCells: 55, typecheckLaunches: 1, memoryCells: 200, memoryBudgetMs: 60_000, nbconvertRounds: 1, startupRuns: 1 }
  : { loopIterations: 1_000_000, loopRuns: 5, coldStarts: 9, roundTripWarmUp: 30, roundTripRounds: 10, roundTripBatch: 40, completeWarmUp: 5, completeSamples: 30, floodLines: 10_000, floodAfterIdleMs: 2000, floodRuns: 7, typecheckCells: 60, typecheckLaunches: 3, memoryCells: 1000, memoryBudgetMs: 150_000, nbconvertRounds: 3, startupRuns: 5 };

/** The whole run must end within 10 minutes; past this, what was measured is written and the run stops. */
const DEADLINE_MS = 9 * 60_000 + 30_000;
const started = performance.now();

function log(line: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${t}s] ${line}\n`);
}

const { kernels, missing } = detectKernels();
const results: BenchResults = {
  meta: {
    date: new Date().toISOString(),
    command: `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      memoryGB: totalmem() / 1024 ** 3,
      node: process.version,
      os: `${type()} ${release()}`,
      loadAverageAtStart: loadavg(),
    },
    kernels: kernels.map((k) => ({ id: k.id, label: k.label, version: kernelVersion(k), argv: k.argv, peer: k.peer, typechecks: k.typechecks })),
    missing,
    settings,
  },
  errors: [],
};

function write(): void {
  results.meta.durationS = (performance.now() - started) / 1000;
  results.meta.machine.loadAverageAtEnd = loadavg();
  results.targets = checkTargets(results);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "benchmarks.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(outDir, "BENCHMARKS.md"), renderMarkdown(results) + "\n");
  log(`wrote ${join(outDir, "benchmarks.json")} and ${join(outDir, "BENCHMARKS.md")}`);
}

function cleanUp(): void {
  killAllKernels();
  removeKernelCwd();
}

process.on("exit", killAllKernels);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log(`${signal}: killing every kernel`);
    cleanUp();
    process.exit(130);
  });
}
const deadline = setTimeout(() => {
  results.meta.incomplete = `stopped at the ${DEADLINE_MS / 1000} s deadline; later scenarios are missing`;
  log(results.meta.incomplete);
  cleanUp();
  write();
  process.exit(1);
}, DEADLINE_MS);

async function scenario(name: string, body: () => Promise<void>): Promise<void> {
  log(`${name}…`);
  try {
    await body();
  } catch (error) {
    results.errors.push(`${name}: ${(error as Error).message}`);
    log(`${name} failed: ${(error as Error).message}`);
  }
}

const byId = (...ids: string[]): KernelDef[] => kernels.filter((k) => ids.includes(k.id));

async function main(): Promise<void> {
  log(`kernels: ${results.meta.kernels.map((k) => `${k.label} (${k.version})`).join(", ")}`);
  for (const m of missing) log(`${m.id} is not installed, so it is not measured; add it with: ${m.how}`);

  await scenario("cold start", async () => {
    results.coldStart = await coldStart(kernels, settings.coldStarts, log);
  });

  await scenario("round trip, completion, a top-level loop, import cells and 10,000 lines", async () => {
    const sessions: BenchKernel[] = [];
    try {
      for (const def of kernels) {
        try {
          sessions.push(await BenchKernel.start(def));
        } catch (error) {
          results.errors.push((error as Error).message);
        }
      }
      results.roundTrip = await roundTrip(sessions, { warmUp: settings.roundTripWarmUp, rounds: settings.roundTripRounds, batch: settings.roundTripBatch }, log);
      results.complete = await completion(sessions, settings.completeWarmUp, settings.completeSamples, log);
      results.topLevelLoop = await topLevelLoop(sessions, settings.loopIterations, settings.loopRuns, log);
      results.importCells = await importCells(sessions, log);
      results.flood = {};
      for (const session of sessions) {
        const flood = await outputFlood(session, settings.floodLines, 30_000, settings.floodAfterIdleMs);
        results.flood[session.def.id] = flood;
        log(`  10,000 lines ${session.def.id}: idle ${flood.idleMs} ms, ${flood.streamMessagesBeforeIdle}+${flood.streamMessagesAfterIdle} stream messages, ${flood.linesBeforeIdle} lines before idle, ${flood.linesAfterIdle} after${flood.error ? `, ${flood.error}` : ""}`);
      }
      // More runs, kernels taking turns, for the time to idle alone.
      for (let run = 1; run < settings.floodRuns; run++) {
        for (const session of sessions) await floodAgain(session, settings.floodLines, 30_000, results.flood[session.def.id]!);
      }
      for (const [id, flood] of Object.entries(results.flood)) log(`  10,000 lines ${id}: idle median ${flood.idleMedianMs} ms over ${flood.idleRunsMs.length} runs`);
    } finally {
      for (const session of sessions) await session.stop();
    }
  });

  await scenario("type-checked cells", async () => {
    results.typecheck = await typecheckOverhead(byId("ephemeron", "ephemeron-no-typecheck", "tslab", "deno"), settings.typecheckCells, settings.typecheckLaunches, log);
  });

  await scenario("memory", async () => {
    results.memory = await memory(kernels, settings.memoryCells, settings.memoryBudgetMs, log);
  });

  await scenario("gc", async () => {
    results.gc = await gcScenario(byId("ephemeron")[0]!, log);
  });

  await scenario("ephemeron start-up breakdown", async () => {
    results.startup = await startupBreakdown(settings.startupRuns, log);
  });

  await scenario("nbconvert", async () => {
    results.nbconvert = await nbconvert(byId("ephemeron", "ipykernel", "tslab", "deno"), settings.nbconvertRounds, log);
  });
}

main()
  .catch((error: Error) => {
    results.errors.push(`run: ${error.stack ?? error.message}`);
    log(`run failed: ${error.message}`);
  })
  .finally(() => {
    clearTimeout(deadline);
    cleanUp();
    write();
    for (const target of results.targets ?? []) log(`target ${target.met === null ? "not evaluated" : target.met ? "met" : "MISSED"}: ${target.target} — ephemeron ${target.ephemeron}; ${target.reference}`);
    log("done");
    // zeromq sockets and stray handles must not keep the run alive.
    setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  });
