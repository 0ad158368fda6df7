// Messages between the kernel process and the runtime child over Node's IPC
// channel, JSON-serialized: plain data only; both sides import it. Not the
// "advanced" (V8) serialization: every cell crosses the channel twice, and V8's
// serializer costs several times JSON's per message (a trivial cell's round
// trip measured 75–140 µs with it, 45 µs with JSON). Binary comm buffers, the
// one thing JSON cannot carry, travel as base64.

import type { DisplayDataContent, ErrorContent, MimeBundle, JsonObject } from "../../kernel/messages.js";

export interface SourceMapV3 {
  version: 3;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  file?: string;
}

/** A cell stopped by an interrupt: by the runtime while it ran, or by the kernel before it could start. */
/**
 * What a cell's `import { name } from "m"` reads the name through (the transform writes the call;
 * context.ts defines it, imports.ts says what it does).
 */
export const IMPORTED_NAME = "__ephemeron_imported";
/** What a cell's `import * as ns from "m"` and `import x = require("m")` read the module through (as IMPORTED_NAME). */
export const IMPORTED_NAMESPACE = "__ephemeron_namespace";
export const REQUIRED_MODULE = "__ephemeron_required";

/** What `import.meta` in a cell reads instead (the transform writes it; context.ts defines it): as long, so that positions stay. */
export const IMPORT_META = "__eph_meta_";

/**
 * What a compiled cell calls to end itself when it was interrupted while it waited: the running
 * cell's token, taken when the cell starts and when each async function it defines is entered, and
 * a check after each await of that code (the transform writes the calls; main.ts defines them).
 */
export const CELL_TOKEN_FUNCTION = "__ephemeron_cell";
export const RESUMED_FUNCTION = "__ephemeron_resumed";

/**
 * What a compiled cell calls first with the names only its `let`, `const` and `class` declare:
 * each becomes a global by assignment when its declaration runs (src/compile/transform.ts), and a
 * getter, setter or read-only property of the global object by that name would take the
 * assignment instead (context.ts removes those; a script's binding would shadow them).
 */
export const LEXICAL_NAMES_FUNCTION = "__ephemeron_lexical";

/**
 * Written by the runtime to its fds 1 and 2 when a cell ends, before it says so over IPC, once the
 * notebook has started a child process: the kernel ends the cell once it has read this far on
 * both, so what the child printed before the end is shown in the cell (kernel/raw-output.ts).
 * NUL bytes: no text output has them.
 */
export const END_OF_CELL = "\u0000ephemeron:end-of-cell\u0000";

export const KEYBOARD_INTERRUPT: ErrorContent = {
  ename: "KeyboardInterrupt",
  evalue: "the cell was interrupted; variables defined before it are kept",
  traceback: ["\u001b[0;31mKeyboardInterrupt\u001b[0m: the cell was interrupted; variables defined before it are kept"],
};

/** What input() says when the cell's client takes no input (allow_stdin false), in the runtime and the kernel alike. */
export const STDIN_REFUSED = "input() is not available: this client does not accept input (allow_stdin is false)";

/** The texts `toString()` gives for a compiled cell's functions, by the number in their marks (function-sources.ts). */
export interface FunctionTexts {
  /** The cell's source's key: a cell run again as it was reuses its code and these. */
  key: string;
  texts: string[];
}

export interface ExecuteCell {
  type: "execute";
  /** The request's msg_id: every output of the cell is tagged with it. */
  id: string;
  code: string;
  /** Name of the script for stacks; also the key for `map`. */
  filename: string;
  /** "Cell In[4]": how tracebacks name the cell. */
  label: string;
  /** The cell as the user wrote it, for traceback source lines. */
  source: string;
  map?: SourceMapV3;
  functions?: FunctionTexts;
  /** False when the client takes no input (allow_stdin false, as nbconvert's): input() then fails at once. */
  stdin?: boolean;
  /**
   * When the kernel sent it (Date.now()): an interrupt the watchdog read since is this cell's, though
   * it may reach the runtime's main thread before the cell does (they come on different channels).
   */
  sentAt: number;
}

/** A TypeScript file the notebook imports, as the kernel compiled it (src/runtime/typescript-modules.ts). */
export interface TranspiledFile {
  /** The file as written, for the lines a traceback shows. */
  source: string;
  code: string;
  map?: SourceMapV3;
}

export type ToRuntime =
  | ExecuteCell
  | { type: "shutdown" }
  | { type: "transpiled"; requestId: number; file?: TranspiledFile; error?: { name: string; message: string } }
  | { type: "input_reply"; requestId: number; value: string }
  | { type: "input_cancelled"; requestId: number; reason: string }
  /** The names that can follow a dot on the live value at `path` (completion's fallback). */
  | { type: "members"; requestId: number; path: string[] }
  /** How the live value at `path` prints (`x?` help): undefined for nothing there, or a function. */
  | { type: "string_form"; requestId: number; path: string[] }
  | CommIncoming;

/** comm_open / comm_msg / comm_close from the frontend; `id` is the message's msg_id (outputs of its handlers go under it). */
export interface CommIncoming {
  type: "comm";
  id: string;
  msgType: "comm_open" | "comm_msg" | "comm_close";
  content: JsonObject;
  /** Base64. */
  buffers: string[];
}

/** comm_open / comm_msg / comm_close from the notebook's code, published on IOPub under the request `id`. */
export interface CommOutgoing {
  type: "comm";
  id: string;
  msgType: "comm_open" | "comm_msg" | "comm_close";
  content: JsonObject & { comm_id: string };
  /** Base64. */
  buffers: string[];
}

export interface CellResult {
  data: MimeBundle;
  metadata: JsonObject;
}

export type FromRuntime =
  | { type: "ready"; pid: number }
  | { type: "stream"; id: string; name: "stdout" | "stderr"; text: string }
  | { type: "display"; id: string; content: DisplayDataContent; update: boolean }
  | { type: "clear_output"; id: string; wait: boolean }
  | { type: "input_request"; id: string; requestId: number; prompt: string; password: boolean }
  /** `marked`: END_OF_CELL was written to fds 1 and 2 before this (only once a child process was started). */
  | { type: "done"; id: string; result?: CellResult; error?: ErrorContent; marked?: boolean }
  | CommOutgoing
  | { type: "comm_done"; id: string; error?: string }
  | { type: "transpile"; requestId: number; path: string }
  | { type: "members"; requestId: number; members: { name: string; kind: "method" | "property" }[] }
  | { type: "string_form"; requestId: number; text?: string };

/**
 * How long the watchdog waits for the main thread to take an interrupt before it stops its
 * JavaScript (watchdog.ts). Long enough that a free thread on a loaded machine answers in time (at
 * 30 ms, a free thread held off the CPU was taken for a busy one: the interrupt was not the cell's,
 * and the termination hit whatever JavaScript ran next); short beside the human who pressed it.
 */
export const ASK_FIRST_MS = 100;
