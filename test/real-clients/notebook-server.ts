// A throwaway classic Jupyter Notebook server (Debian's jupyter-notebook 6)
// that finds the installed ephemeron kernelspec through JUPYTER_PATH, with its
// config, runtime and data dirs in a temp folder, on a free port, no token.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InstalledKernel, JupyterTool } from "../clients/jupyter.js";
import { PYTHON } from "../clients/jupyter.js";

export const NOTEBOOK: JupyterTool = { name: "jupyter notebook", modules: ["notebook", "jupyter_client"], apt: ["jupyter-notebook", "jupyter-client"] };

export interface NotebookServer {
  url: string;
  port: number;
  /** The folder the server serves notebooks from. */
  root: string;
  /** The `_xsrf` cookie value (POSTs need it as cookie and X-XSRFToken header). */
  xsrf: string;
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startNotebookServer(installed: InstalledKernel): Promise<NotebookServer> {
  const base = mkdtempSync(join(tmpdir(), "ephemeron-notebook-"));
  const root = join(base, "notebooks");
  for (const dir of ["notebooks", "config", "runtime", "data"]) mkdirSync(join(base, dir));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...installed.env,
    JUPYTER_CONFIG_DIR: join(base, "config"),
    JUPYTER_RUNTIME_DIR: join(base, "runtime"),
    JUPYTER_DATA_DIR: join(base, "data"),
    IPYTHONDIR: join(base, "ipython"),
  };
  const args = ["-m", "notebook", "--no-browser", "--allow-root", "--NotebookApp.token=", "--NotebookApp.password=", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--notebook-dir=${root}`];
  const child: ChildProcess = spawn(PYTHON, args, { env, cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      // The server's own group: it and the kernels it started.
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid!, "SIGKILL"); } catch { /* gone */ } }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(base, { recursive: true, force: true });
  };

  const deadline = Date.now() + 45_000;
  let xsrf = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${url}/tree`);
      if (response.ok) {
        const cookie = response.headers.getSetCookie().find((c) => c.startsWith("_xsrf="));
        xsrf = cookie ? cookie.slice("_xsrf=".length).split(";")[0]! : "";
        break;
      }
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!xsrf) {
    await stop();
    throw new Error(`jupyter notebook did not come up on ${url}:\n${output}`);
  }
  return { url, port, root, xsrf, log: () => output, stop };
}
