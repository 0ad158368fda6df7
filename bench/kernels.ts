// The kernels the benchmark compares: ephemeron (with type checking, and with
// --no-typecheck as a control) and the reference kernels that are installed:
// ipykernel (Debian's), tslab and Deno. Each entry holds its kernelspec argv
// and the code each scenario runs in that kernel's own language.

import { spawnSync } from "node:child_process";
import { resolvedKernelSpec } from "../kernel/kernelspec.js";

export type KernelId = "ephemeron" | "ephemeron-no-typecheck" | "ipykernel" | "tslab" | "deno";

export interface KernelCode {
  /** The trivial cell of the round trip and cold start. */
  trivial: string;
  /** A cell printing `n` lines, 0 … n-1, with the language's own print loop. */
  printLines(n: number): string;
  /** A cell with type annotations, new names per `i` (TypeScript kernels; Python's are not checked). */
  typed(i: number): string;
  /** A loop at the cell's top level adding `n` numbers into a variable of the notebook; its value is the sum. */
  topLevelLoop(n: number): string;
  /** Cells each importing a module of the standard library not imported before (the import-cells scenario). */
  importCells: string[];
  /** The cells of the memory scenario: a new binding each. */
  binding(i: number): string;
  /** Run once before completion is asked for. */
  completeSetup?: string;
  /** Code whose completion at its end lists the members of the language's math module. */
  completeCode: string;
  /** A member completion must offer. */
  completeExpect: string;
  /** Five cells for the nbconvert notebook. */
  notebook: string[];
}

export interface KernelDef {
  id: KernelId;
  label: string;
  language: "typescript" | "python";
  /** A reference kernel (a peer ratios are taken against); ephemeron's own variants are not. */
  peer: boolean;
  /** Whether the kernel type-checks cells. */
  typechecks: boolean;
  argv: string[];
  env?: Record<string, string>;
}

const typescript: KernelCode = {
  trivial: "1 + 1",
  printLines: (n) => `for (let i = 0; i < ${n}; i++) console.log(i);`,
  typed: (i) => `interface P${i} { x: number; label: string }\nconst p${i}: P${i} = { x: ${i}, label: "p" + ${i} };\np${i}.x`,
  binding: (i) => `let m${i}: number = ${i};\nm${i} * 2`,
  topLevelLoop: (n) => `let total = 0;\nfor (let i = 0; i < ${n}; i++) total += i;\ntotal`,
  importCells: [
    'import * as fs from "node:fs";\nfs.existsSync(".")',
    'import { join } from "node:path";\njoin("a", "b")',
    'import os from "node:os";\nos.EOL.length',
    'import { EventEmitter } from "node:events";\nnew EventEmitter().listenerCount("x")',
    'import * as util from "node:util";\nutil.format("%d", 1)',
    'import { gzipSync } from "node:zlib";\ngzipSync("a").length > 0',
    'import { lookup } from "node:dns";\ntypeof lookup',
  ],
  completeCode: "Math.",
  completeExpect: "floor",
  notebook: [
    "const xs: number[] = [1, 2, 3, 4];\nxs.map((x) => x * 2)",
    'console.log("hello from a notebook");',
    "interface Point { x: number; y: number }\nconst pt: Point = { x: 3, y: 4 };\nMath.hypot(pt.x, pt.y)",
    "for (let i = 0; i < 3; i++) console.log(`line ${i}`);",
    "xs.reduce((a, b) => a + b, 0)",
  ],
};

const python: KernelCode = {
  trivial: "1 + 1",
  printLines: (n) => `for i in range(${n}):\n    print(i)`,
  typed: (i) => `p${i}: int = ${i}\np${i}`,
  binding: (i) => `m${i} = ${i}\nm${i} * 2`,
  topLevelLoop: (n) => `total = 0\nfor i in range(${n}):\n    total += i\ntotal`,
  importCells: [
    "import json\njson.dumps(1)",
    "from fractions import Fraction\nFraction(1, 2)",
    "import decimal\ndecimal.Decimal(1)",
    "from statistics import mean\nmean([1, 2])",
    "import difflib\ndifflib.SequenceMatcher(None, 'a', 'b').ratio()",
    "import gzip\nlen(gzip.compress(b'a')) > 0",
    "import ipaddress\nipaddress.ip_address('127.0.0.1').is_loopback",
  ],
  completeSetup: "import math",
  completeCode: "math.",
  completeExpect: "floor",
  notebook: [
    "xs = [1, 2, 3, 4]\n[x * 2 for x in xs]",
    'print("hello from a notebook")',
    "import math\npt = (3, 4)\nmath.hypot(*pt)",
    "for i in range(3):\n    print(f'line {i}')",
    "sum(xs)",
  ],
};

export function codeFor(kernel: KernelDef): KernelCode {
  return kernel.language === "python" ? python : typescript;
}

function found(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: "ignore", timeout: 20_000 });
  return result.status === 0;
}

function which(name: string): string | undefined {
  const result = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8", timeout: 5_000 });
  const path = result.stdout?.trim();
  return result.status === 0 && path ? path : undefined;
}

export const HOW_TO_ADD: Record<"ipykernel" | "tslab" | "deno", string> = {
  ipykernel: "apt-get install -y python3-ipykernel jupyter-client",
  tslab: "npm install -g tslab",
  deno: "npm install -g deno",
};

export interface Detected {
  kernels: KernelDef[];
  missing: { id: KernelId; how: string }[];
}

/** ephemeron always; each reference kernel when it is installed. */
export function detectKernels(): Detected {
  const kernels: KernelDef[] = [];
  const missing: Detected["missing"] = [];
  kernels.push({ id: "ephemeron", label: "ephemeron", language: "typescript", peer: false, typechecks: true, argv: resolvedKernelSpec().argv });
  kernels.push({
    id: "ephemeron-no-typecheck",
    label: "ephemeron --no-typecheck",
    language: "typescript",
    peer: false,
    typechecks: false,
    argv: resolvedKernelSpec({ extraArgs: ["--no-typecheck"] }).argv,
  });
  if (found("/usr/bin/python3", ["-c", "import ipykernel_launcher"])) {
    kernels.push({
      id: "ipykernel",
      label: "ipykernel",
      language: "python",
      peer: true,
      typechecks: false,
      argv: ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
    });
  } else missing.push({ id: "ipykernel", how: HOW_TO_ADD.ipykernel });
  const tslab = which("tslab");
  if (tslab) {
    kernels.push({ id: "tslab", label: "tslab", language: "typescript", peer: true, typechecks: true, argv: [tslab, "kernel", "--config-path", "{connection_file}"] });
  } else missing.push({ id: "tslab", how: HOW_TO_ADD.tslab });
  const deno = which("deno");
  if (deno && found(deno, ["--version"])) {
    kernels.push({
      id: "deno",
      label: "Deno",
      language: "typescript",
      peer: true,
      typechecks: false,
      argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
  } else missing.push({ id: "deno", how: HOW_TO_ADD.deno });
  return { kernels, missing };
}

/** The installed version of each kernel, for the report. */
export function kernelVersion(kernel: KernelDef): string {
  const run = (command: string, args: string[]) => {
    const result = spawnSync(command, args, { encoding: "utf8", timeout: 20_000 });
    return (result.stdout ?? "").trim().split("\n")[0] ?? "";
  };
  switch (kernel.id) {
    case "ephemeron":
    case "ephemeron-no-typecheck":
      return "working tree";
    case "ipykernel":
      return run("/usr/bin/python3", ["-c", "import ipykernel; print(ipykernel.__version__)"]);
    case "tslab":
      return run(kernel.argv[0]!, ["--version"]);
    case "deno":
      return run(kernel.argv[0]!, ["--version"]);
  }
}
