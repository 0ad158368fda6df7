// The data the checker hands the kernel: plain data, shared by the checker
// (checker.ts), the project it drives (cell-project.ts) and the kernel.

/**
 * A type error in a cell, 1-based, in the cell's own coordinates (column in code points); or in a
 * TypeScript file the cell imports, in that file's coordinates.
 */
export interface CellDiagnostic {
  code: number;
  /** The imported file it is in, as the notebook's folder names it (`./geometry.ts`); absent for the cell itself. */
  file?: string;
  line: number;
  column: number;
  message: string;
  sourceLine: string;
}

/** Completions at a cursor; positions in Unicode code points, as Jupyter's cursor_pos. */
export interface CompletionResult {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  types: { text: string; type: string; start: number; end: number; signature?: string }[];
}

export interface InspectResult {
  found: boolean;
  plain: string;
  markdown: string;
  /** The path of names to the value inspected, when its first name is a notebook variable (a cell's top-level declaration): the runtime has that value. */
  valuePath?: string[];
  /** At detail level 1, of a function or class an accepted cell declared: its declaration's text, as the cell has it (IPython's `??` source). */
  source?: string;
}

/** A check's answer: the cell's diagnostics, and whether accepting it would change what later cells see. */
export interface CheckResult {
  diagnostics: CellDiagnostic[];
  /** False only when the cell is known to declare, import and export nothing. */
  declares: boolean;
  /** Local names of the cell's `import { … }` (without `type`) that are types only: tsc elides them, and the run must too. */
  typeOnlyImports: string[];
}

/**
 * Globals that @types/node declares as possibly missing (`var gc: GCFunction | undefined`: V8's
 * --expose-gc function) but the runtime always defines (ephemeron's `gc`, whose members
 * types/memory.d.ts merges into that type). The checker is served that declaration corrected
 * (cell-files.ts); should a later @types/node word it otherwise, the checker still takes `gc` as
 * defined, and inspection describes it as the runtime has it.
 */
export const ALWAYS_DEFINED_GLOBALS: ReadonlySet<string> = new Set(["gc"]);
