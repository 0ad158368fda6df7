// nbformat 4, as much as running a notebook needs: reading with one-line
// errors for files that are not notebooks, turning IOPub messages into cell
// outputs as nbclient does (streams merged, clear_output, display updates),
// and writing the file the way nbformat writes it (multi-line text as lists).

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { JsonObject, Message } from "./messages.js";

export type MultilineString = string | string[];

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: JsonObject;
  outputs: Output[];
  execution_count: number | null;
}

export interface OtherCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: JsonObject;
  attachments?: JsonObject;
}

export type Cell = CodeCell | OtherCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: JsonObject;
  cells: Cell[];
}

export type Output =
  | { output_type: "stream"; name: string; text: MultilineString }
  | { output_type: "display_data"; data: JsonObject; metadata: JsonObject }
  | { output_type: "execute_result"; data: JsonObject; metadata: JsonObject; execution_count: number }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export class NotebookError extends Error {}

/** Languages whose notebooks this kernel runs: TypeScript's, and JavaScript's (valid TypeScript, mostly). */
const RUNNABLE_LANGUAGES = new Set(["typescript", "javascript", "ts", "js"]);

/** The language a notebook says it is written in, if it says. */
export function notebookLanguage(metadata: JsonObject): string | undefined {
  return notebookLanguageAndSource(metadata)?.language;
}

/** The notebook's language, and the metadata that names it (a notebook may have no kernelspec). */
function notebookLanguageAndSource(metadata: JsonObject): { language: string; source: "kernelspec" | "language_info" } | undefined {
  const kernelspec = (metadata.kernelspec as { language?: unknown } | undefined)?.language;
  if (typeof kernelspec === "string" && kernelspec !== "") return { language: kernelspec, source: "kernelspec" };
  const info = (metadata.language_info as { name?: unknown } | undefined)?.name;
  return typeof info === "string" && info !== "" ? { language: info, source: "language_info" } : undefined;
}

export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new NotebookError(`${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new NotebookError(`${path}: not a notebook: the file is not JSON (${(error as Error).message})`);
  }
  const notebook = raw as Partial<Notebook>;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new NotebookError(`${path}: not a notebook: JSON is not an object`);
  if (notebook.nbformat !== 4) throw new NotebookError(`${path}: not an nbformat 4 notebook (nbformat is ${JSON.stringify(notebook.nbformat)})`);
  if (!Array.isArray(notebook.cells)) throw new NotebookError(`${path}: not a notebook: 'cells' is missing`);
  notebook.cells.forEach((cell, index) => {
    const type = (cell as Partial<Cell>).cell_type;
    if (type !== "code" && type !== "markdown" && type !== "raw") throw new NotebookError(`${path}: cell ${index + 1} has unknown cell_type ${JSON.stringify(type)}`);
    const source = (cell as Partial<Cell>).source;
    if (typeof source !== "string" && !(Array.isArray(source) && source.every((line) => typeof line === "string"))) {
      throw new NotebookError(`${path}: cell ${index + 1} has no source text`);
    }
    // Keys nbformat requires but hand-written notebooks leave out: written back, the file must validate.
    const loose = cell as Partial<CodeCell>;
    if (typeof loose.metadata !== "object" || loose.metadata === null) loose.metadata = {};
    if (type === "code") {
      if (!Array.isArray(loose.outputs)) loose.outputs = [];
      if (loose.execution_count === undefined) loose.execution_count = null;
    }
  });
  const metadata = (typeof notebook.metadata === "object" && notebook.metadata !== null ? notebook.metadata : {}) as JsonObject;
  const named = notebookLanguageAndSource(metadata);
  if (named !== undefined && !RUNNABLE_LANGUAGES.has(named.language.toLowerCase())) {
    throw new NotebookError(`${path}: a ${named.language} notebook (its ${named.source} says so); ephemeron runs TypeScript, and would overwrite its outputs`);
  }
  const minor = typeof notebook.nbformat_minor === "number" ? notebook.nbformat_minor : 5;
  if (minor >= 5) giveCellsIds(notebook.cells);
  return { nbformat: 4, nbformat_minor: minor, metadata, cells: notebook.cells };
}

const CELL_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * nbformat 4.5 requires a unique id on every cell: a cell without one (or with one another cell has
 * already) gets a new one, as nbformat's own repair does (8 hex digits), so the file written back validates.
 */
function giveCellsIds(cells: Cell[]): void {
  const taken = new Set<string>();
  // The first cell with a given valid id keeps it; a made-up id must not take a later cell's own.
  const keeps = new Set(cells.filter((cell) => typeof cell.id === "string" && CELL_ID.test(cell.id) && !taken.has(cell.id) && taken.add(cell.id)));
  for (const cell of cells) {
    if (keeps.has(cell)) continue;
    let id: string;
    do id = randomUUID().slice(0, 8);
    while (taken.has(id));
    cell.id = id;
    taken.add(id);
  }
}

/** Gathers one cell's outputs from its IOPub messages, as nbclient does. */
export class OutputCollector {
  readonly outputs: Output[] = [];
  private clearPending = false;

  /**
   * `displays`: the outputs of each display id so far, shared by a notebook's cells, so that a
   * later cell's `update()` changes an earlier cell's output, as Jupyter's frontends and nbclient do.
   */
  constructor(private readonly displays = new Map<string, Output[]>()) {}

  add(message: Message): void {
    const content = message.content as JsonObject;
    const type = message.header.msg_type;
    if (type === "clear_output") {
      if (content.wait === true) this.clearPending = true;
      else this.clear();
      return;
    }
    if (type === "update_display_data") {
      const id = (content.transient as { display_id?: string } | undefined)?.display_id;
      for (const output of (id && this.displays.get(id)) || []) {
        if (output.output_type !== "stream" && output.output_type !== "error") {
          output.data = content.data as JsonObject;
          output.metadata = (content.metadata as JsonObject) ?? {};
        }
      }
      return;
    }
    const output = toOutput(type, content);
    if (!output) return;
    if (this.clearPending) this.clear();
    const last = this.outputs[this.outputs.length - 1];
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      last.text = joinSource(last.text) + joinSource(output.text);
      return;
    }
    this.outputs.push(output);
    const id = (content.transient as { display_id?: string } | undefined)?.display_id;
    if (id && output.output_type === "display_data") this.displays.set(id, [...(this.displays.get(id) ?? []), output]);
  }

  private clear(): void {
    const cleared = new Set(this.outputs);
    for (const [id, outputs] of this.displays) this.displays.set(id, outputs.filter((output) => !cleared.has(output)));
    this.outputs.length = 0;
    this.clearPending = false;
  }
}

function toOutput(type: string, content: JsonObject): Output | undefined {
  switch (type) {
    case "stream":
      return { output_type: "stream", name: String(content.name), text: String(content.text) };
    case "display_data":
      return { output_type: "display_data", data: content.data as JsonObject, metadata: (content.metadata as JsonObject) ?? {} };
    case "execute_result":
      return { output_type: "execute_result", data: content.data as JsonObject, metadata: (content.metadata as JsonObject) ?? {}, execution_count: content.execution_count as number };
    case "error":
      return { output_type: "error", ename: String(content.ename), evalue: String(content.evalue), traceback: content.traceback as string[] };
    default:
      return undefined;
  }
}

function splitLines(text: MultilineString): string[] {
  const joined = joinSource(text);
  return joined === "" ? [] : (joined.match(/[^\n]*\n|[^\n]+$/g) ?? []);
}

const SPLIT_MIMES = new Set(["application/javascript", "image/svg+xml"]);

/** The notebook as nbformat writes it: sources and text outputs as lists of lines, one-space JSON indent. */
export function serializeNotebook(notebook: Notebook): string {
  const cells = notebook.cells.map((cell) => {
    const source = splitLines(cell.source);
    if (cell.cell_type !== "code") return { ...cell, source };
    const outputs = cell.outputs.map((output) => {
      if (output.output_type === "stream") return { ...output, text: splitLines(output.text) };
      if (output.output_type === "display_data" || output.output_type === "execute_result") {
        const data: JsonObject = {};
        for (const [mime, value] of Object.entries(output.data)) {
          data[mime] = typeof value === "string" && (mime.startsWith("text/") || SPLIT_MIMES.has(mime)) ? splitLines(value) : value;
        }
        return { ...output, data };
      }
      return output;
    });
    return { ...cell, source, outputs };
  });
  return JSON.stringify(sortKeys({ ...notebook, cells }), null, 1) + "\n";
}

/** nbformat writes keys sorted; so do we, so a re-run notebook diffs cleanly. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const sorted: JsonObject = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as JsonObject)[key]);
  return sorted;
}
