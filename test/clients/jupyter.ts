// What the tests that drive ephemeron from real Jupyter clients share: finding
// Debian's Jupyter tools (they run on /usr/bin/python3, not the python3 first
// on PATH), skipping with the apt-get line that installs a missing one — or
// failing when CI=true, where a missing tool is a broken CI image, not a
// reason to skip — and installing the built kernel into a throwaway prefix
// that the Python clients find through JUPYTER_PATH.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { ephemeron } from "../cli/ephemeron.js";

export { CLI, run, type RunResult } from "../cli/ephemeron.js";

export const PYTHON = "/usr/bin/python3";

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

/** Debian's Chromium, and the flags that keep it off this machine's closed network. */
export const CHROMIUM: Program = { path: "/usr/bin/chromium", apt: "chromium" };
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** A program a test needs besides the Python tool, such as /usr/bin/chromium. */
export interface Program {
  path: string;
  apt: string;
}

/**
 * describe() for tests that need a Jupyter tool (and maybe programs). Without
 * them the block is skipped with a note saying how to install them; under
 * CI=true it is replaced by one failing test that carries that note.
 */
export function describeWithTool(tool: JupyterTool, title: string, body: () => void, programs: Program[] = []): void {
  const reasons: string[] = [];
  const missing = missingTool(tool);
  if (missing !== undefined) reasons.push(missing);
  for (const program of programs) {
    if (!existsSync(program.path)) reasons.push(`${program.path} is missing; install it with: apt-get install -y ${program.apt}`);
  }
  const reason = reasons.join("; ");
  if (reasons.length === 0) {
    describe(title, body);
  } else if (process.env.CI === "true") {
    // A failing test, not a failing hook: vitest counts tests behind a failed hook as skipped.
    describe(title, () => {
      it(`finds ${[tool.name, ...programs.map((p) => p.path)].join(" and ")} installed (CI=true does not skip)`, () => {
        throw new Error(`CI=true and ${reason}`);
      });
    });
  } else {
    process.stderr.write(`[skipped] ${title}: ${reason}\n`);
    describe.skip(`${title} (skipped: ${reason})`, body);
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
  const prefix = mkdtempSync(join(tmpdir(), "ephemeron-prefix-"));
  const name = `ephemeron-test-${randomBytes(4).toString("hex")}`;
  const result = await ephemeron(["install", "--prefix", prefix, "--name", name]);
  if (result.code !== 0) throw new Error(`ephemeron install failed (exit ${result.code}):\n${result.stderr}`);
  const jupyterPath = join(prefix, "share", "jupyter");
  return {
    name,
    prefix,
    // Its own data folder too: the kernels' input history stays with this test's kernel (a search
    // for "6*" must not find another test's inputs), and out of the user's.
    env: {
      ...process.env,
      JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(":"),
      JUPYTER_DATA_DIR: join(prefix, "data"),
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    },
    remove: () => rmSync(prefix, { recursive: true, force: true }),
  };
}

