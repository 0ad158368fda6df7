// `import { weakref, gc, display } from "ephemeron"` in a cell: the notebook's own globals under
// the package's name (src/runtime/main.ts provides them), typed as the globals are. The cell checker
// loads every types/*.d.ts, so this ambient module is known to every cell without an install.

declare module "ephemeron" {
  /** CPython's `weakref` module. */
  export const weakref: EphemeronMemory.WeakrefModule;
  /** CPython's `gc` module, made deterministic: `await gc()` collects; `gc.refcount`, `gc.referrers`, `gc.heap`. */
  export const gc: NodeJS.GCFunction;
  /** A small stable number per object (CPython's `id()`). */
  export function id(obj: object): number;
  /** Shows a value as an output of the cell. */
  export const display: EphemeronRuntime.Display;
  /** Clears the cell's output; with `wait`, only once new output arrives. */
  export const clearOutput: (wait?: boolean) => void;
  /** Asks the notebook's user for a line of text. */
  export const input: (prompt?: string, options?: EphemeronRuntime.InputOptions) => Promise<string>;
  /** Jupyter comms. */
  export const comm: EphemeronRuntime.CommManager;
}
