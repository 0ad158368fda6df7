// Runs the built `ephemeron` command as a user would: `node dist/kernel/cli.js ...`.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";

export const CLI = join(PACKAGE_ROOT, "dist", "kernel", "cli.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function ephemeron(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error("dist/ is missing: run `npm run build` (npm test does)");
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: options.cwd ?? PACKAGE_ROOT, timeout: options.timeoutMs ?? 90_000, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** Non-empty lines of a stream. */
export function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}
