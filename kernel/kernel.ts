// The kernel: the handler table for shell and control, and the replies that
// need no runtime (kernel_info, is_complete, history, comm_info, shutdown).
// Execution lives in execute.ts; TypeScript work in src/compile.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { CompleteReply, InspectReply, IsCompleteReply, JsonObject, KernelInfoReply } from "./messages.js";
import { PROTOCOL_VERSION } from "./messages.js";
import type { Handler, HandlerTable, RequestContext } from "./dispatcher.js";
import type { Executor } from "./execute.js";
import { KERNEL_VERSION } from "./version.js";
import { History } from "./history.js";

export interface LanguageTools {
  complete(code: string, cursorPos: number): Promise<Omit<CompleteReply, "status">>;
  /** `valuePath`: the path of names to a notebook variable's value inspected, which the kernel asks the runtime for (live-members.ts); not sent. */
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<Omit<InspectReply, "status"> & { valuePath?: string[] }>;
  isComplete(code: string): Promise<IsCompleteReply>;
}

export interface KernelParts {
  executor: Executor;
  language: LanguageTools;
  history: History;
  /** Ends the kernel process (after the reply went out). */
  exit(restart: boolean): void;
  interrupt(): Promise<void>;
  /** comm_open/msg/close and comm_info_request (kernel/comms.ts). */
  comms?: Record<string, Handler>;
}

function typescriptVersion(): string {
  const require = createRequire(import.meta.url);
  const manifest = JSON.parse(readFileSync(require.resolve("typescript/package.json"), "utf8")) as { version: string };
  return manifest.version;
}

export function kernelInfo(): KernelInfoReply {
  const version = typescriptVersion();
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "ephemeron",
    implementation_version: KERNEL_VERSION,
    language_info: {
      name: "typescript",
      version,
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      // CodeMirror's MIME type for TypeScript, not the name "typescript": Notebook 6 maps a name to an editor
      // mode only for the cells a notebook opens with, and gives a cell added later the value as it is (no mode
      // has that name: no highlighting). Its mode list knows "application/typescript", and so does JupyterLab's.
      codemirror_mode: "application/typescript",
      nbconvert_exporter: "script",
    },
    banner: `ephemeron ${KERNEL_VERSION}: TypeScript ${version} on Node ${process.versions.node}, with weakref, gc() and refcounts you can watch`,
    help_links: [
      // ephemeron has no page of its own on the web (it is not on npm: its README travels with it);
      // what its teaching API mirrors has, and JupyterLab's Help menu opens these.
      { text: "Python's weakref module (what weakref mirrors)", url: "https://docs.python.org/3/library/weakref.html" },
      { text: "Python's gc module (what gc mirrors)", url: "https://docs.python.org/3/library/gc.html" },
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Node.js API", url: "https://nodejs.org/api/" },
    ],
    debugger: false,
  };
}

function stringField(content: JsonObject, name: string): string {
  const value = content[name];
  if (typeof value !== "string") throw new TypeError(`'${name}' must be a string`);
  return value;
}

/** The cursor in code points; one past the end is the end, for every tool (a reply's cursor_end must lie in the code). */
function cursorField(content: JsonObject, code: string): number {
  const value = content.cursor_pos;
  const end = [...code].length;
  if (value === undefined || value === null) return end;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw new TypeError("'cursor_pos' must be a non-negative integer");
  return Math.min(value, end);
}

export function createHandlers(parts: KernelParts): HandlerTable {
  const info = kernelInfo();
  const shutdown: Handler = ({ request, afterReply }: RequestContext) => {
    const restart = (request.content as { restart?: unknown }).restart === true;
    afterReply(() => parts.exit(restart));
    return { status: "ok", restart };
  };
  const shell: Record<string, Handler> = {
    kernel_info_request: () => ({ ...info }),
    execute_request: async (context) => {
      const reply = await parts.executor.execute(context);
      const code = (context.request.content as { code: string }).code;
      const stored = (context.request.content as { store_history?: unknown; silent?: unknown });
      if (stored.silent !== true && stored.store_history !== false && code.trim() !== "") {
        parts.history.add(parts.executor.executionCount, code);
        context.afterReply(() => parts.history.save());
      }
      return reply;
    },
    complete_request: async ({ request }) => {
      const code = stringField(request.content, "code");
      return { status: "ok", ...(await parts.language.complete(code, cursorField(request.content, code))) };
    },
    inspect_request: async ({ request }) => {
      const code = stringField(request.content, "code");
      const level = request.content.detail_level === 1 ? 1 : 0;
      const { found, data, metadata } = await parts.language.inspect(code, cursorField(request.content, code), level);
      return { status: "ok", found, data, metadata };
    },
    is_complete_request: async ({ request }) => ({ ...(await parts.language.isComplete(stringField(request.content, "code"))) }),
    history_request: ({ request }) => ({ status: "ok", history: parts.history.query(request.content) }),
    comm_info_request: () => ({ status: "ok", comms: {} }),
    shutdown_request: shutdown,
    ...parts.comms,
  };
  const control: Record<string, Handler> = {
    kernel_info_request: () => ({ ...info }),
    shutdown_request: shutdown,
    interrupt_request: async () => {
      await parts.interrupt();
      return { status: "ok" };
    },
  };
  return { shell, control, beforeShell: parts.executor.abortIfQueuedBehindError };
}
