// What the tests that drive ephemeron from real Jupyter clients share: finding
// Debian's Jupyter tools (they run on /usr/bin/python3, not the python3 first
// on PATH), skipping with the apt-get line that installs a missing one — or
// failing when CI=true, where a missing tool is a broken CI image, not a
// reason to skip — and installing the built kernel into a throwaway prefix
// that the Python clients find through JUPYTER_PATH.

import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";

export const PYTHON = "/usr/bin/python3";
export const CLI = join(PACKAGE_ROOT, "dist", "kernel", "cli.js");

export interface JupyterTool {
  /** What the tests call it in messages. */
  name: string;
  /** Python modules that must import under /usr/bin/python3. */
  modules: string[];
  /** The Debian packages that provide them. */
  apt: string[];
}

export const NBCONVERT: JupyterTool = { name: "jupyter nbconvert", modules: ["jupyter_client", "nbclient", "nbconvert", "nbformat"], apt: ["jupyter-client", "jupyter-nbconvert", "python3-nbclient"] };
export const KERNEL_TEST: JupyterTool = { name: "jupyter_kernel_test", modules: ["jupyter_client", "jupyter_kernel_test"], apt: ["jupyter-client", "python3-jupyter-kernel-test"] };

/** Why the tool cannot run here, or undefined when it can. */
export function missingTool(tool: JupyterTool): string | undefined {
  const hint = `install it with: apt-get install -y ${tool.apt.join(" ")}`;
  if (!existsSync(PYTHON)) return `${tool.name} needs ${PYTHON}, which is missing; ${hint}`;
  const probe = spawnSync(PYTHON, ["-c", tool.modules.map((module) => `import ${module}`).join("; ")], { encoding: "utf8" });
  if (probe.status !== 0) {
    const reason = probe.stderr.trim().split("\n").at(-1) ?? `exit ${probe.status}`;
    return `${tool.name} is not available to ${PYTHON} (${reason}); ${hint}`;
  }
  return undefined;
}

/**
 * describe() for tests that need a Jupyter tool. Without the tool the block is
 * skipped with a note saying how to install it; under CI=true it is replaced by
 * one failing test that carries that note.
 */
export function describeWithTool(tool: JupyterTool, title: string, body: () => void): void {
  const missing = missingTool(tool);
  if (missing === undefined) {
    describe(title, body);
  } else if (process.env.CI === "true") {
    // A failing test, not a failing hook: vitest counts tests behind a failed hook as skipped.
    describe(title, () => {
      it(`finds ${tool.name} installed (CI=true does not skip)`, () => {
        throw new Error(`CI=true and ${missing}`);
      });
    });
  } else {
    process.stderr.write(`[skipped] ${title}: ${missing}\n`);
    describe.skip(`${title} (skipped: ${missing})`, body);
  }
}

export interface InstalledKernel {
  /** The kernelspec name to ask Jupyter for. */
  name: string;
  /** The temporary prefix the kernelspec lives under. */
  prefix: string;
  /** process.env plus JUPYTER_PATH pointing at the prefix's share/jupyter. */
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/** `ephemeron install --prefix <tmp>` with a unique name, as a user would run it. */
export async function installKernel(): Promise<InstalledKernel> {
  if (!existsSync(CLI)) throw new Error("dist/ is missing: run `npm run build` (npm test does)");
  const prefix = mkdtempSync(join(tmpdir(), "ephemeron-prefix-"));
  const name = `ephemeron-test-${randomBytes(4).toString("hex")}`;
  const result = await run(process.execPath, [CLI, "install", "--prefix", prefix, "--name", name]);
  if (result.code !== 0) throw new Error(`ephemeron install failed (exit ${result.code}):\n${result.stderr}`);
  const jupyterPath = join(prefix, "share", "jupyter");
  return {
    name,
    prefix,
    env: { ...process.env, JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(":"), PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    remove: () => rmSync(prefix, { recursive: true, force: true }),
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws for a non-zero exit. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env: options.env ?? process.env, cwd: options.cwd ?? PACKAGE_ROOT, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
