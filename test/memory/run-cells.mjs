// Test driver: runs cell scripts (`var x; (async () => { ... })()`) in ONE vm
// context with the memory API installed, each cell in a macrotask of its own, as
// the runtime does. Usage: node --expose-gc run-cells.mjs < {"cells": [...], "repeat": n}
// Prints what cells print, `=> value` for a cell's result, `!! Name: message` for an error.
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import util from "node:util";
import vm from "node:vm";
import { Console } from "node:console";

const root = fileURLToPath(new URL("../../", import.meta.url));
const { installMemoryApi } = await import(pathToFileURL(`${root}dist/src/memory/install.js`).href);
const { cells, repeat = 1, atexit = true } = JSON.parse(readFileSync(0, "utf8"));

// An ordinary global object, as the runtime makes its context (src/runtime/context.ts).
const ctx = vm.createContext(vm.constants.DONT_CONTEXTIFY);
const write = (s) => process.stdout.write(s + "\n");
Object.defineProperty(vm.runInContext("globalThis", ctx), "print", {
  value: (...args) => write(args.map((a) => (typeof a === "string" ? a : util.inspect(a))).join(" ")),
});
Object.defineProperty(vm.runInContext("globalThis", ctx), "console", { value: new Console(process.stdout, process.stderr) });
// The context's timers as the runtime gives them: wrapped, and known to gc.refcount's walk.
const { bindTimers, notebookTimers } = await import(pathToFileURL(`${root}dist/src/runtime/output.js`).href);
const contextGlobal = vm.runInContext("globalThis", ctx);
for (const [name, fn] of Object.entries({ setTimeout, setInterval, setImmediate, queueMicrotask, clearTimeout, clearInterval, clearImmediate })) {
  Object.defineProperty(contextGlobal, name, { value: fn, writable: true, configurable: true });
}
bindTimers(contextGlobal);
// Node's own timers, past the runtime's wrappers.
Object.defineProperty(contextGlobal, "nodeTimers", { value: await import("node:timers") });
const api = installMemoryApi(ctx, notebookTimers);
// How the last gc.refcount was answered ("walk" or "snapshot: <why>"), for tests of the reference walk.
const { lastRefcountInfo } = await import(pathToFileURL(`${root}dist/src/memory/gc.js`).href);
Object.defineProperty(vm.runInContext("globalThis", ctx), "refcountPath", {
  value: () => {
    const info = lastRefcountInfo();
    return info === undefined ? "none" : info.path === "walk" ? "walk" : `snapshot: ${info.reason}`;
  },
});
const macrotask = () => new Promise((r) => setImmediate(r));
for (let round = 0; round < repeat; round++) {
  if (repeat > 1) write(`--- round`);
  for (const code of cells) {
    try {
      const result = await new vm.Script(code).runInContext(ctx);
      // The runtime's cells resolve to { value }; plain returns are shown as they are.
      const value = result && typeof result === "object" && "value" in result ? result.value : result;
      if (value !== undefined) write("=> " + util.inspect(value, { depth: 4 }));
    } catch (e) {
      write(`!! ${e?.name}: ${e?.message}`);
    }
    await macrotask();
  }
}
if (atexit) api.runAtexit();
