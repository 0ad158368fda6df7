// execute_request: execution counts as ipykernel keeps them, execute_input,
// compiling the cell, running it in the runtime, its outputs under its own
// parent header, the result or error, user_expressions, and aborting the
// requests queued behind a failed cell when stop_on_error asks for it.

import type { ErrorContent, ExecuteRequest, JsonObject, Message, MimeBundle } from "./messages.js";
import type { RequestContext } from "./dispatcher.js";
import type { OutputSink, RuntimeSupervisor, RunOutcome } from "./runtime-supervisor.js";
import { KEYBOARD_INTERRUPT, type FunctionTexts, type SourceMapV3 } from "../src/runtime/protocol.js";
import { helpLines, helpTarget, namePath, wantsSource } from "../src/compile/help-syntax.js";
import { createLogger } from "./log.js";
import { withStringForm } from "./live-members.js";

const log = createLogger("execute");

/**
 * A failure of the kernel's own, not of the cell (the compiler crashed, the runtime would not
 * start): shown in the notebook as the cell's error, with a count and the kernel still serving,
 * and logged whole to stderr for a bug report.
 */
function internalError(what: string, error: Error): ErrorContent {
  log.error(`could not ${what}: ${error.stack ?? error.message}`);
  const evalue = `the kernel could not ${what}: ${error.message.split("\n").find((line) => line.trim() !== "")?.trim() ?? String(error)}`;
  return { ename: "InternalError", evalue, traceback: [`\u001b[0;31mInternalError\u001b[0m: ${evalue}`, "(the whole error is in the kernel's log)"] };
}

export interface CompiledCell {
  code: string;
  map?: SourceMapV3;
  /** The texts `toString()` gives for the cell's functions. */
  functions?: FunctionTexts;
}

/** TypeScript → runnable script (src/compile): type errors and syntax errors come back as a Jupyter error. */
type Compiled = { cell: CompiledCell } | { error: ErrorContent };

export interface CellCompiler {
  compile(source: string, filename: string): Promise<Compiled>;
  /** The cell ran: its declarations are now part of the session. */
  accepted(source: string): void;
  /** Signature and documentation of an expression, for `expr?` help; undefined when nothing is known. */
  help(expression: string, withSource?: boolean): Promise<MimeBundle | undefined>;
  /** Whether the source parses as TypeScript: a line `x?` among code that does not is a help request. */
  parses(source: string): boolean;
}


export class Executor {
  executionCount = 0;
  private cellsRun = 0;
  /** Execute requests that arrived up to this point are aborted (stop_on_error after a failure). */
  private abortUpTo = 0;
  /**
   * A cell on its way to the runtime: being compiled (the first waits for the checker's warm-up)
   * or waiting for the runtime to start. An interrupt then is kept for it here: it never starts.
   */
  private starting: { interrupt: () => void } | undefined;

  constructor(
    private readonly runtime: RuntimeSupervisor,
    private readonly compiler: CellCompiler,
  ) {}

  /** Stops the cell being compiled before it starts, or the one running in the runtime. */
  interrupt = async (): Promise<void> => {
    if (this.starting) this.starting.interrupt();
    else await this.runtime.interrupt();
  };

  /** Aborts an execute_request queued behind a failed cell, as ipykernel does. */
  abortIfQueuedBehindError = (request: Message, arrival: number): JsonObject | undefined => {
    if (request.header.msg_type !== "execute_request" || arrival > this.abortUpTo) return undefined;
    return { status: "aborted", execution_count: null };
  };

  execute = async (context: RequestContext): Promise<JsonObject> => {
    const request = context.request.content as Partial<ExecuteRequest>;
    if (typeof request.code !== "string") throw new TypeError("execute_request needs 'code' as a string");
    const code = request.code;
    const silent = request.silent === true;
    // As IPython: a cell of only whitespace counts for nothing and is not history.
    const storeHistory = !silent && request.store_history !== false && code.trim() !== "";
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    const publish = silent ? () => undefined : context.publish;
    publish("execute_input", { code, execution_count: count });
    // A silent request (a client's own) does not take the notice: the user would never see it.
    const lost = silent ? undefined : this.runtime.takeLossNotice();
    if (lost !== undefined) publish("stream", { name: "stderr", text: lost });

    const exitWord = /^\s*(exit|quit)\s*$/.exec(code)?.[1];
    if (exitWord !== undefined && !(await this.declared(exitWord, context))) {
      // IPython's `exit`: the console (or any client that knows the payload) closes itself.
      return { status: "ok", execution_count: count, user_expressions: {}, payload: [{ source: "ask_exit", keepkernel: false }] };
    }
    const helpFor = helpTarget(code);
    if (helpFor !== undefined) return { status: "ok", execution_count: count, user_expressions: {}, payload: await this.page(helpFor, wantsSource(code), publish) };
    // Help asked on a line of its own among code: the code runs, then the request is paged, as in IPython.
    // Only where the cell reads as code without those lines alone (`? b` may be a ternary's, in a cell whose error is elsewhere).
    const withHelp = /\?\s*$/m.test(code) || /^\s*\?/m.test(code) ? helpLines(code) : undefined;
    const help = withHelp !== undefined && !this.compiler.parses(code) && this.compiler.parses(withHelp.code) ? withHelp : undefined;
    const outcome = await this.run(help?.code ?? code, count, context.request.header.msg_id, context, publish, true);
    const userExpressions = await this.evaluateUserExpressions(request.user_expressions, context);
    if (outcome.error) {
      publish("error", outcome.error);
      // As ipykernel: a silent request (a client's own background work) aborts nothing; its error is shown nowhere.
      if (!silent && request.stop_on_error !== false) this.abortUpTo = context.received();
      return { status: "error", execution_count: count, ...outcome.error, user_expressions: userExpressions };
    }
    if (outcome.result && help?.last !== true) publish("execute_result", { execution_count: count, ...outcome.result });
    const target = help === undefined ? undefined : helpTarget(help.request);
    const payload = help === undefined || target === undefined ? [] : await this.page(target, wantsSource(help.request), publish);
    return { status: "ok", execution_count: count, user_expressions: userExpressions, payload };
  };

  /** Whether the notebook has a `name` of its own (`const exit = 5`), asked as the checker and the runtime see it. */
  private async declared(name: string, context: RequestContext): Promise<boolean> {
    const outcome = await this.run(`typeof ${name} !== "undefined"`, this.executionCount, `${context.request.header.msg_id}/declared`, context, () => undefined, false);
    return outcome.result?.data["text/plain"] === "true";
  }

  /**
   * Help goes to the client's pager as a payload, as IPython's `?` does: the checker's signature and
   * documentation, and how the live value prints (IPython's "String form") when the target is a path of names;
   * `x??` adds the source of a function or class a cell declared.
   * Of a name neither knows, IPython's line under the cell, and no page.
   */
  private async page(expression: string, withSource: boolean, publish: RequestContext["publish"]): Promise<JsonObject[]> {
    const path = namePath(expression);
    const [documented, value] = await Promise.all([this.compiler.help(expression, withSource), path && this.runtime.stringForm(path)]);
    const data = withStringForm(documented, value);
    if (data === undefined) publish("stream", { name: "stdout", text: `Object \`${expression}\` not found.\n` });
    return data === undefined ? [] : [{ source: "page", data, start: 0 }];
  }

  /** `cell`: a cell of the notebook, whose declarations later cells see (user_expressions are not). */
  private async run(code: string, count: number, id: string, context: RequestContext, publish: RequestContext["publish"], cell: boolean): Promise<RunOutcome> {
    if (code.trim() === "") return {};
    const filename = `cell-${++this.cellsRun}.ts`;
    // An interrupt answers at once; the check it cut short finishes in the background (the next cell waits for the checker anyway).
    const interrupt = new Promise<"interrupted">((resolve) => (this.starting = { interrupt: () => resolve("interrupted") }));
    const prepared = (async (): Promise<Compiled> => {
      const compiled = await this.compiler.compile(code, filename).catch((error: Error) => ({ error: internalError("compile this cell", error) }));
      if ("error" in compiled) return compiled;
      return this.runtime.start().then(() => compiled, (error: Error) => ({ error: internalError("start the runtime", error) }));
    })();
    let compiled: Compiled | "interrupted";
    try {
      compiled = await Promise.race([prepared, interrupt]);
    } finally {
      this.starting = undefined;
    }
    if (compiled === "interrupted") return { error: KEYBOARD_INTERRUPT };
    if ("error" in compiled) return { error: compiled.error };
    const sink: OutputSink = {
      stream: (name, text) => publish("stream", { name, text }),
      display: (content, update) => publish(update ? "update_display_data" : "display_data", content),
      clearOutput: (wait) => publish("clear_output", { wait }),
      input: (prompt, password) => context.input(prompt, password),
      // Comm traffic is not output: a silent cell's widgets still talk.
      comm: (msgType, content, buffers) => context.publish(msgType, content, {}, buffers),
    };
    const outcome = await this.runtime.execute(
      {
        id,
        code: compiled.cell.code,
        filename,
        label: `Cell In[${count}]`,
        source: code,
        map: compiled.cell.map,
        ...(compiled.cell.functions && { functions: compiled.cell.functions }),
        stdin: (context.request.content as { allow_stdin?: unknown }).allow_stdin !== false,
      },
      sink,
    );
    if (cell && outcome.error?.ename !== "RuntimeDied") this.compiler.accepted(code);
    return outcome;
  }

  /** Each expression evaluated after the cell, each its own result or error, no output. */
  private async evaluateUserExpressions(expressions: unknown, context: RequestContext): Promise<JsonObject> {
    const results: JsonObject = {};
    if (typeof expressions !== "object" || expressions === null) return results;
    for (const [name, expression] of Object.entries(expressions as Record<string, unknown>)) {
      if (typeof expression !== "string") continue;
      const id = `${context.request.header.msg_id}/user_expressions/${name}`;
      // The closing parenthesis on a line of its own: an expression may end in a `// comment`.
      const outcome = await this.run(`(${expression}\n)`, this.executionCount, id, context, () => undefined, false);
      results[name] = outcome.error
        ? { status: "error", ...outcome.error }
        : { status: "ok", data: outcome.result?.data ?? { "text/plain": "undefined" }, metadata: outcome.result?.metadata ?? {} };
    }
    return results;
  }
}
