// `ephemeron run`: executes notebooks through the kernel over the real
// protocol, as `jupyter nbconvert --execute` would: a kernel started from the
// kernelspec with a fresh connection file, the code cells in order, outputs
// printed as they arrive and written into nbformat 4 notebooks.

import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { resolvedKernelSpec } from "./kernelspec.js";
import { launchReadyKernel } from "./ready-kernel.js";
import { writeHandout } from "./handouts.js";
import type { JsonObject, Message } from "./messages.js";
import { joinSource, NotebookError, notebookLanguage, OutputCollector, readNotebook, serializeNotebook, type CodeCell, type Notebook, type Output } from "./notebook.js";

const HELP = `usage: ephemeron run NOTEBOOK... [--out DIR] [--timeout SECONDS] [--allow-errors] [--quiet] [--html] [--verbose]

Executes each notebook's code cells in order in a fresh ephemeron kernel and
writes the notebook with its outputs (into --out DIR, or in place).

  --out DIR         write executed notebooks here (default: overwrite the input)
  --timeout S       interrupt a cell that runs longer than S seconds (default 600; 0: never);
                    a cell the interrupt cannot stop ends the notebook's run
  --allow-errors    go on after a cell that fails, and exit 0
  --quiet           print progress only, not the outputs
  --html            also write an HTML handout beside each executed notebook (needs jupyter nbconvert)
  --verbose         also show the kernel's log on stderr, at EPHEMERON_LOG=info unless that is set
                    (where an InternalError's whole error is)
`;

interface RunOptions {
  notebooks: string[];
  out?: string;
  timeoutSeconds: number;
  allowErrors: boolean;
  quiet: boolean;
  html: boolean;
  verbose: boolean;
}

class UsageError extends Error {}

/** The options that take no value, and what each turns on. */
const SWITCHES = new Map<string, "allowErrors" | "quiet" | "html" | "verbose">([
  ["--allow-errors", "allowErrors"],
  ["--quiet", "quiet"],
  ["--html", "html"],
  ["--verbose", "verbose"],
]);

function parseRunArgs(args: string[]): RunOptions | "help" {
  const options: RunOptions = { notebooks: [], timeoutSeconds: 600, allowErrors: false, quiet: false, html: false, verbose: false };
  for (let i = 0; i < args.length; i++) {
    let arg = args[i]!;
    // `--out=DIR` as well as `--out DIR`.
    let inline: string | undefined;
    if (arg.startsWith("--") && arg.includes("=")) [arg, inline] = [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    const flag = SWITCHES.get(arg);
    if (arg === "-h" || arg === "--help") return "help";
    else if (arg === "--out") {
      options.out = value();
      // A script's unset "$OUT" must not turn into writing the notebooks in place, nor a forgotten folder into one named "--html".
      if (options.out.trim() === "" || (inline === undefined && options.out.startsWith("--"))) {
        throw new UsageError("--out needs a folder (without --out the notebooks are written in place)");
      }
    } else if (arg === "--timeout") {
      const seconds = value();
      options.timeoutSeconds = seconds.trim() === "" ? Number.NaN : Number(seconds);
      if (!(options.timeoutSeconds >= 0)) throw new UsageError("--timeout needs a number of seconds (0: no limit)");
    } else if (flag !== undefined) {
      // A switch takes no value: `--allow-errors=false` would otherwise allow errors all the same.
      if (inline !== undefined) throw new UsageError(`${arg} takes no value (got '${arg}=${inline}')`);
      options[flag] = true;
    } else if (arg.startsWith("-")) throw new UsageError(`unknown option '${arg}' (see ephemeron run --help)`);
    else options.notebooks.push(arg);
  }
  if (options.notebooks.length === 0) throw new UsageError("no notebook given (see ephemeron run --help)");
  if (options.out !== undefined) {
    if (existsSync(options.out) && !statSync(options.out).isDirectory()) throw new UsageError(`--out ${options.out} is a file, not a folder`);
    const names = options.notebooks.map((path) => basename(path));
    const twice = names.find((name, index) => names.indexOf(name) !== index);
    if (twice !== undefined) throw new UsageError(`two notebooks named ${twice} would be written to the same file in ${options.out}`);
  }
  return options;
}

function printOutput(message: Message): void {
  const content = message.content as JsonObject;
  switch (message.header.msg_type) {
    case "stream": {
      const stream = content.name === "stderr" ? process.stderr : process.stdout;
      // A traceback printed to a stream (an unhandled rejection's report) is plain text in a log or a pipe too.
      stream.write(stream.isTTY ? String(content.text) : String(content.text).replace(/\u001b\[[0-9;]*m/g, ""));
      break;
    }
    case "execute_result":
    case "display_data": {
      const data = content.data as JsonObject;
      const text = typeof data["text/plain"] === "string" ? data["text/plain"] : `[${Object.keys(data).join(", ")}]`;
      process.stdout.write(`${text}\n`);
      break;
    }
    case "error":
      printError(content);
      break;
  }
}

/** An error goes to stderr, as nbconvert prints a failing cell's traceback. */
function printError(content: JsonObject): void {
  const traceback = content.traceback as string[] | undefined;
  const text = traceback && traceback.length > 0 ? traceback.join("\n") : `${String(content.ename)}: ${String(content.evalue)}`;
  // The notebook keeps the traceback's colours, as Jupyter shows them; a log file or a pipe gets plain text.
  process.stderr.write(`${process.stderr.isTTY ? text : text.replace(/\u001b\[[0-9;]*m/g, "")}\n`);
}

/** The longest a timer can wait (Node fires a longer one at once). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
/** How long an interrupted cell has to end before its kernel is given up on. */
const INTERRUPT_GRACE_MS = 10_000;
/** How long an interrupted cell has to stop before it is interrupted again, within the grace. */
const INTERRUPT_AGAIN_MS = 2_000;

/** Dim, for progress lines, when they go to a terminal. */
function dim(text: string): string {
  return process.stdout.isTTY ? `\u001b[2m${text}\u001b[0m` : text;
}

/** Runs one notebook; returns it with outputs, and whether every cell succeeded. */
export async function runNotebook(path: string, options: Pick<RunOptions, "timeoutSeconds" | "allowErrors" | "quiet"> & { verbose?: boolean }): Promise<{ notebook: Notebook; ok: boolean }> {
  const notebook = readNotebook(path);
  // As Jupyter's server does: the kernel learns which notebook it runs (a cell's __filename).
  // --verbose shows the log at info, where a runtime's death that a cell's error reports is logged
  // (at the default level it stays out of a terminal that already shows the error); EPHEMERON_LOG wins.
  const logLevel = options.verbose === true ? { EPHEMERON_LOG: process.env.EPHEMERON_LOG ?? "info" } : {};
  const { kernel, client, info } = await launchReadyKernel({ cwd: dirname(resolve(path)), env: { JPY_SESSION_NAME: resolve(path), ...logLevel }, echoStderr: options.verbose === true });
  running = kernel;
  let ok = true;
  // A kernel that dies (killed, out of memory) answers nothing more: the cell it ran fails, and the run ends, as nbclient's DeadKernelError.
  const died = kernel.exited.then(({ code, signal }) => ({ died: signal ?? `exit code ${code}` }));
  let dead: string | undefined;
  const displays = new Map<string, Output[]>();
  try {
    const codeCells = notebook.cells.filter((cell): cell is CodeCell => cell.cell_type === "code");
    let index = 0;
    for (const cell of codeCells) {
      index++;
      // As nbclient: an empty cell is not sent, and gets no execution count.
      if (joinSource(cell.source).trim() === "") {
        cell.outputs = [];
        cell.execution_count = null;
        continue;
      }
      // As nbclient: a cell tagged skip-execution is not sent and stays as it was, with the output
      // its author recorded (a cell that asks for input, or takes an hour, shown in the handout anyway).
      if (cellTags(cell).includes("skip-execution")) {
        process.stdout.write(dim(`── ${basename(path)}: cell ${index} of ${codeCells.length}: skipped (tagged skip-execution) ──`) + "\n");
        continue;
      }
      process.stdout.write(dim(`── ${basename(path)}: cell ${index} of ${codeCells.length} ──`) + "\n");
      const collector = new OutputCollector(displays);
      // As nbclient: a cell tagged raises-exception is meant to fail; its error is its output, and the run goes on.
      const mayFail = cellTags(cell).includes("raises-exception");
      const allowErrors = options.allowErrors || mayFail;
      const run = client.execute(joinSource(cell.source), {
        stop_on_error: !allowErrors,
        onIopub: (message) => {
          collector.add(message);
          if (!options.quiet) printOutput(message);
        },
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        if (options.timeoutSeconds > 0) timer = setTimeout(() => resolve("timeout"), Math.min(options.timeoutSeconds * 1000, LONGEST_TIMER_MS));
      });
      const finished = await Promise.race([run, timedOut, died]);
      clearTimeout(timer);
      let failed: boolean;
      let stuck = false;
      if (typeof finished === "object" && "died" in finished) {
        dead = finished.died;
        const evalue = `the kernel died while cell ${index} ran (${dead})`;
        const error: JsonObject = { output_type: "error", ename: "DeadKernelError", evalue, traceback: [`DeadKernelError: ${evalue}`] };
        collector.outputs.push(error as Output);
        printError(error);
        failed = true;
        stuck = true;
      } else if (finished === "timeout") {
        // Interrupted again while it goes on: an interrupt that came just before the cell started a child
        // process (`execSync` blocks in native code, where only killing the child ends it) finds no child
        // to stop. A cell blocked where no interrupt reaches would hold the run for good: after the grace, it is stuck.
        const graceEnds = Date.now() + INTERRUPT_GRACE_MS;
        let gone = false;
        void died.then(() => (gone = true));
        let ended: Awaited<typeof run> | undefined;
        while (ended === undefined && !gone && Date.now() < graceEnds) {
          const wait = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), Math.max(0, ms)).unref());
          await Promise.race([client.request("control", "interrupt_request", {}), died, wait(graceEnds - Date.now())]);
          ended = await Promise.race([run, died.then(() => undefined), wait(Math.min(INTERRUPT_AGAIN_MS, graceEnds - Date.now()))]);
        }
        stuck = ended === undefined;
        if (ended) cell.execution_count = (ended.reply.content as { execution_count?: number }).execution_count ?? null;
        const evalue = `cell ${index} ran longer than ${options.timeoutSeconds} s and was interrupted${stuck ? "; it did not stop, and the notebook's run ends here" : ""}`;
        const timeout: JsonObject = { output_type: "error", ename: "TimeoutError", evalue, traceback: [`TimeoutError: ${evalue}`] };
        // The cell's KeyboardInterrupt is its output, as nbclient's interrupt_on_timeout leaves it; the
        // terminal says why. A cell that did not stop has no output of its own to say so.
        if (stuck) collector.outputs.push(timeout as Output);
        printError(timeout);
        failed = true;
      } else {
        failed = (finished.reply.content as { status?: string }).status !== "ok";
        cell.execution_count = ((finished.reply.content as { execution_count?: number }).execution_count ?? null);
      }
      cell.outputs = collector.outputs;
      // With --allow-errors too: a tagged cell's error is what the notebook teaches, not a failed run.
      if (failed && mayFail && !stuck && dead === undefined) {
        process.stderr.write(`${basename(path)}: cell ${index} failed, as its raises-exception tag says it may\n`);
      } else if (failed) {
        ok = false;
        if (options.quiet) for (const output of collector.outputs) if (output.output_type === "error" && output.ename !== "TimeoutError") printError(output as unknown as JsonObject);
        process.stderr.write(`${basename(path)}: cell ${index} failed\n`);
        if (!allowErrors || stuck) {
          // The cells after it did not run in this execution: no outputs of an earlier one stay to look as if they had.
          for (const rest of codeCells.slice(index)) {
            rest.outputs = [];
            rest.execution_count = null;
          }
          break;
        }
      }
    }
    const infoContent = info.content as { language_info?: JsonObject };
    // A TypeScript kernelspec the notebook names already (an install under another --name) is kept: Jupyter opens it with that one.
    const own = notebook.metadata.kernelspec as { name?: unknown; language?: unknown } | undefined;
    const keep = typeof own?.name === "string" && own.name !== "" && own.language === "typescript";
    // A JavaScript notebook runs as TypeScript, and is saved as one: Jupyter then opens it with ephemeron.
    const language = notebookLanguage(notebook.metadata);
    if (!keep && language !== undefined && language.toLowerCase() !== "typescript" && language.toLowerCase() !== "ts") {
      process.stderr.write(`${basename(path)}: a ${language} notebook, run as TypeScript; it is saved with ephemeron's kernelspec\n`);
    }
    notebook.metadata = {
      ...notebook.metadata,
      kernelspec: keep ? own : { name: "ephemeron", display_name: resolvedKernelSpec().display_name, language: "typescript" },
      language_info: infoContent.language_info ?? {},
    };
    if (dead === undefined) {
      await Promise.race([client.request("control", "shutdown_request", { restart: false }), died]);
      // unref: a pending 5 s timer must not keep `ephemeron run` alive after the kernel has exited
      await Promise.race([kernel.exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    }
  } finally {
    client.close();
    await kernel.dispose();
    running = undefined;
  }
  return { notebook, ok };
}

/** The kernel running a notebook now: stopped, and its connection file (which holds its key) removed, if `run` is stopped. */
let running: { dispose(): Promise<void> } | undefined;

function stopOnSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      process.stderr.write(`ephemeron run: stopped (${signal})\n`);
      // 128 + the signal's number, as a shell reports a command a signal ended (SIGHUP: 129).
      void (running?.dispose() ?? Promise.resolve()).finally(() => process.exit(128 + constants.signals[signal]));
    });
  }
}

/**
 * A reader that stops early (`ephemeron run nb.ipynb | head`) closes the pipe: the run goes on, prints
 * nothing more there, and still writes its notebooks, instead of ending on an unhandled EPIPE.
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}

export async function runCommand(args: string[]): Promise<number> {
  let options: RunOptions;
  try {
    const parsed = parseRunArgs(args);
    if (parsed === "help") {
      process.stdout.write(HELP);
      return 0;
    }
    options = parsed;
  } catch (error) {
    process.stderr.write(`ephemeron run: ${(error as Error).message}\n`);
    return 2;
  }
  stopOnSignals();
  ignoreClosedPipes();
  let failures = 0;
  try {
    // Before any cell runs: a folder that cannot be made would lose every result at the end.
    if (options.out) mkdirSync(options.out, { recursive: true });
  } catch (error) {
    process.stderr.write(`ephemeron run: cannot write into --out ${options.out}: ${(error as Error).message}\n`);
    return 1;
  }
  for (const path of options.notebooks) {
    try {
      const { notebook, ok } = await runNotebook(path, options);
      const target = options.out ? join(options.out, basename(path)) : path;
      writeFileSync(target, serializeNotebook(notebook));
      process.stdout.write(`${ok ? "✓" : "✗"} ${path} → ${target}${ok ? "" : " (a cell failed)"}\n`);
      if (!ok && !options.allowErrors) failures++;
      if (options.html) {
        const handout = writeHandout(target);
        process.stdout.write("path" in handout ? `  handout: ${handout.path}\n` : `  no handout: ${handout.skipped}\n`);
      }
    } catch (error) {
      failures++;
      const message = error instanceof NotebookError ? error.message : `${path}: ${(error as Error).message}`;
      process.stderr.write(`ephemeron run: ${message}\n`);
    }
  }
  return failures === 0 ? 0 : 1;
}

/** A cell's tags (`metadata.tags`), as nbclient reads them. */
function cellTags(cell: CodeCell): string[] {
  const tags = (cell.metadata as { tags?: unknown } | undefined)?.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [];
}
