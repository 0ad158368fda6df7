// Runs commands as a user would: the built `ephemeron` command
// (`node dist/kernel/cli.js ...`) and the Jupyter tools the tests drive.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";
import { testJupyterDataDir } from "../helpers/kernel.js";

export const CLI = join(PACKAGE_ROOT, "dist", "kernel", "cli.js");

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type CliResult = RunResult;

/** Runs a command to completion; never throws for a non-zero exit. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env: options.env ?? process.env, cwd: options.cwd ?? PACKAGE_ROOT, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function ephemeron(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error("dist/ is missing: run `npm run build` (npm test does)");
  // The kernels it starts keep their history in this test file's data folder, not the user's.
  return run(process.execPath, [CLI, ...args], { ...options, env: options.env ?? { ...process.env, JUPYTER_DATA_DIR: testJupyterDataDir() } });
}

/** Non-empty lines of a stream. */
export function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}
