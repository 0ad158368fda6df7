// A child process the notebook starts with `stdio: "inherit"` (or `execSync`,
// whose stderr is inherited) writes straight to the runtime's fds 1 and 2,
// which the kernel shows under the cell (kernel/raw-output.ts); what the cell
// printed through `console` waits in the output channel to be coalesced.
// Flushing that first keeps the two in the order they were written:
// `console.log("installing"); execSync("npm i", { stdio: "inherit" })` shows
// "installing" before npm's output, not after it.

import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";

const STARTERS = ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const;

export function flushBeforeChildProcesses(flush: () => void): void {
  const exports = childProcess as unknown as Record<string, unknown>;
  for (const name of STARTERS) {
    const start = exports[name] as (...args: unknown[]) => unknown;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      flush();
      return start.apply(this, args);
    };
    // `name`, `length`, and util.promisify's custom form of exec and execFile.
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(start));
    exports[name] = wrapped;
  }
  // `import { execSync } from "node:child_process"` reads the ESM view of the module.
  syncBuiltinESMExports();
}
