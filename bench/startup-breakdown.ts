// Where ephemeron's start-up time goes: each piece the kernel starts
// concurrently, timed alone in a fresh Node process (median of a few runs):
// Node itself, the kernel's module graph (sockets, dispatcher), the runtime
// child until it says ready, the cell transform (swc), and the type checker
// (TypeScript 7's tsgo) until its first and second check.
// Not a comparison with peers: the evidence behind the cold-start figures.

import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PACKAGE_ROOT } from "../kernel/kernelspec.js";
import { kernelCwd, withTimeout } from "./session.js";
import { median, round } from "./stats.js";

export interface StartupBreakdown {
  runs: number;
  /** Median ms of each piece. */
  pieces: Record<string, number>;
  notes: Record<string, string>;
}

const dist = join(PACKAGE_ROOT, "dist");
const url = (path: string) => JSON.stringify(`file://${join(dist, path)}`);
/** The declarations the kernel gives its checker (src/compile/session-compiler.ts): types/*.d.ts, and types/values/ as first cells. */
const declarations = (folder: string) =>
  JSON.stringify(
    readdirSync(join(PACKAGE_ROOT, folder))
      .filter((name) => name.endsWith(".d.ts"))
      .map((name) => join(PACKAGE_ROOT, folder, name)),
  );
const checkerOptions = `{ cwd: process.cwd(), globalsDts: ${declarations("types")}, globalValues: ${declarations("types/values")} }`;

/** Each script prints one JSON object of in-process timings (ms). */
const SCRIPTS: Record<string, string> = {
  kernelModules: `const t = performance.now(); await import(${url("kernel/main.js")}); console.log(JSON.stringify({ kernelModules: performance.now() - t }));`,
  transform: `const t = performance.now(); const m = await import(${url("src/compile/transform.js")}); const l = performance.now(); m.transformCell("const a: number = 1; a", { filename: "cell-1.ts" }); console.log(JSON.stringify({ transformImport: l - t, transformFirstCell: performance.now() - l }));`,
  checker: [
    `const t = performance.now();`,
    `const { CellChecker } = await import(${url("src/compile/checker.js")});`,
    `const imported = performance.now();`,
    `const checker = new CellChecker(${checkerOptions});`,
    `const warm = await checker.ready();`,
    `const ready = performance.now();`,
    `await checker.check("interface P1 { x: number }\\nconst p1: P1 = { x: 1 };\\np1.x");`,
    `const first = performance.now();`,
    `await checker.accept("interface P1 { x: number }\\nconst p1: P1 = { x: 1 };\\np1.x");`,
    `const accepted = performance.now();`,
    `await checker.check("const q: number = p1.x + 1;\\nq");`,
    `const second = performance.now();`,
    `console.log(JSON.stringify({ checkerImport: imported - t, checkerReady: ready - imported, checkerReportedWarmUp: warm ?? -1, checkerFirstCheck: first - ready, checkerAccept: accepted - first, checkerSecondCheck: second - accepted }));`,
    `await checker.dispose(); process.exit(0);`,
  ].join("\n"),
  checkerPerCell: [
    `const { CellChecker } = await import(${url("src/compile/checker.js")});`,
    `const checker = new CellChecker(${checkerOptions});`,
    `await checker.ready();`,
    `const typed = [], trivial = [];`,
    `const cell = (i) => "interface P" + i + " { x: number; label: string }\\nconst p" + i + ": P" + i + " = { x: " + i + ", label: 'p' + " + i + " };\\np" + i + ".x";`,
    `for (let i = 1; i <= 60; i++) {`,
    `  let t = performance.now(); await checker.check(cell(i)); typed.push(performance.now() - t);`,
    `  await checker.accept(cell(i));`,
    `  t = performance.now(); await checker.check("1 + 1"); trivial.push(performance.now() - t);`,
    `}`,
    // The same cells 20 ms apart, as a user's come seconds apart: what idling costs the checker.
    `const idle = [];`,
    `for (let i = 61; i <= 120; i++) {`,
    `  await new Promise((resolve) => setTimeout(resolve, 20));`,
    `  const t = performance.now(); await checker.check(cell(i)); idle.push(performance.now() - t);`,
    `  await checker.accept(cell(i));`,
    `}`,
    `const p50 = (xs) => { const s = xs.slice(10).sort((a, b) => a - b); return s[s.length >> 1]; };`,
    `console.log(JSON.stringify({ checkerTypedCellP50: p50(typed), checkerTypedCell50: typed[49], checkerTrivialCellP50: p50(trivial), checkerTypedCellAfterIdleP50: p50(idle) }));`,
    `await checker.dispose(); process.exit(0);`,
  ].join("\n"),
  runtimeReady: [
    `import { fork } from "node:child_process";`,
    `const t = performance.now();`,
    `const child = fork(new URL(${url("src/runtime/main.js")}), [], { execArgv: ["--expose-gc"], serialization: "advanced", stdio: ["ignore", "pipe", "pipe", "ipc", "pipe"] });`,
    `child.on("message", (m) => { if (m.type === "ready") { console.log(JSON.stringify({ runtimeForkToReady: performance.now() - t })); child.kill("SIGKILL"); process.exit(0); } });`,
  ].join("\n"),
};

function runNode(args: string[], timeoutMs: number): Promise<{ wallMs: number; stdout: string }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const start = performance.now();
      const child = spawn(process.execPath, args, { cwd: kernelCwd(), stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        if (code === 0) resolve({ wallMs: performance.now() - start, stdout });
        else reject(new Error(`exit ${code}: ${stderr.slice(-300)}`));
      });
    }),
    timeoutMs + 2000,
    "start-up probe",
  );
}

export async function startupBreakdown(runs: number, log: (line: string) => void): Promise<StartupBreakdown> {
  const samples = new Map<string, number[]>();
  const add = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);
  for (let i = 0; i < runs; i++) {
    add("nodeBareProcess", (await runNode(["-e", "0"], 15_000)).wallMs);
    for (const [name, script] of Object.entries(SCRIPTS)) {
      // A file, not --input-type=module -e, as the kernel's own modules are loaded.
      const file = join(kernelCwd(), `startup-${name}.mjs`);
      writeFileSync(file, script);
      const { wallMs, stdout } = await runNode([file], 30_000);
      add(`${name}WholeProcess`, wallMs);
      const line = stdout.trim().split("\n").at(-1) ?? "{}";
      for (const [key, value] of Object.entries(JSON.parse(line) as Record<string, number>)) add(key, value);
    }
  }
  const pieces = Object.fromEntries([...samples].map(([key, values]) => [key, round(median(values), 1)]));
  log(`  start-up pieces (median ms): ${Object.entries(pieces).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  return {
    runs,
    pieces,
    notes: {
      nodeBareProcess: "spawn → exit of `node -e 0`: Node's own start, the floor of any Node kernel",
      kernelModules: "importing dist/kernel/main.js (what runs before the sockets bind), in-process",
      runtimeForkToReady: "fork of the runtime child (--expose-gc) → its `ready` message, seen from the parent",
      transformImport: "importing the cell transform (swc), in-process",
      transformFirstCell: "the first transformCell call",
      checkerImport: "importing src/compile/checker.js",
      checkerReady: "new CellChecker → ready (tsgo spawned, libraries + @types/node loaded, a warm-up cell checked)",
      checkerReportedWarmUp: "the warm-up time the checker reports itself (from its construction)",
      checkerFirstCheck: "first check of an annotated cell after ready",
      checkerAccept: "accepting that cell",
      checkerSecondCheck: "second check, against the accepted cell",
      checkerTypedCellP50: "CellChecker.check of an annotated cell declaring new names, cells 11–60 of a session (each accepted after), p50: the checker alone, no kernel or runtime",
      checkerTypedCell50: "the same, cell 50",
      checkerTrivialCellP50: "CellChecker.check of `1 + 1` between those cells, p50",
      checkerTypedCellAfterIdleP50: "the annotated cells again (61–120), each after 20 ms of idling, p50: the same check costs tsgo more CPU after the machine idled (caches gone cold; not Go's GC, which GOGC=off leaves as it is)",
    },
  };
}
