// CellSyntaxError, and reading one out of swc's diagnostic text (swc's napi binding throws
// only the rendered report: `x message`, then a snippet whose caret line marks the column).

import { displayWidth } from "./code-points.js";
import { sourceLines } from "../runtime/source-lines.js";

export class CellSyntaxError extends Error {
  /** 1-based line in the cell. */
  readonly line: number;
  /** 1-based column in the cell, in code points (as the type errors count). */
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = "CellSyntaxError";
    this.line = line;
    this.column = column;
  }
}

/** 1-based code-point column of the character swc's report draws at 0-based display column `display` of `line`. */
function columnAtDisplay(line: string, display: number): number {
  let width = 0;
  let column = 1;
  for (const ch of line) {
    if (width >= display) break;
    width += displayWidth(ch);
    column++;
  }
  return column;
}

/** Colours swc adds to its report when the kernel's stdout is a terminal (a kernel started from one inherits it). */
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** A line of swc's report that marks a place in a snippet line above it (`   :     ^` or `   ·     ─`). */
const MARK_LINE = /^(\s*)[:·] (.*)$/;
const MARK = /[\^|─┬╰]/;

function reportText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(ANSI, "");
}

/** Whether swc's report marks a place in the code (an unexpected end of input marks none). */
export function marksAPlace(error: unknown): boolean {
  return reportText(error).split("\n").some((line) => MARK.test(MARK_LINE.exec(line)?.[2] ?? ""));
}

/**
 * Builds the CellSyntaxError for an error swc threw while compiling `source`. swc draws its report
 * in ASCII (`x`, `,-[`, `|`, `:`, `^`) when the kernel's output is a pipe, and in colour with box
 * drawing (`×`, `╭─[`, `│`, `·`, `─`) when it is a terminal: both are read alike.
 */
export function cellSyntaxError(error: unknown, source: string): CellSyntaxError {
  const text = reportText(error);
  const lines = text.split("\n");
  const messageLine = lines.find((l) => /^\s*[x×]\s+\S/.test(l));
  const message = messageLine ? messageLine.replace(/^\s*[x×]\s+/, "").trim() : text.split("\n")[0]!.trim() || "Syntax error";
  const cellLines = sourceLines(source);

  let line = 0;
  let column = 0;
  const header = /(?:,-|╭─)\[.*:(\d+):(\d+)\]/.exec(text);
  if (header) {
    line = Number(header[1]);
    column = Number(header[2]);
  }
  // The first caret line under a numbered snippet line gives the exact place.
  let lastNumbered: number | undefined;
  for (const l of lines) {
    const numbered = /^\s*(\d+) [|│]/.exec(l);
    if (numbered) {
      lastNumbered = Number(numbered[1]);
      continue;
    }
    const caret = MARK_LINE.exec(l);
    const display = caret?.[2]!.search(MARK) ?? -1;
    if (caret && lastNumbered !== undefined && display >= 0) {
      line = lastNumbered;
      column = columnAtDisplay(cellLines[line - 1] ?? "", display);
      break;
    }
    if (/^\s*(?:`----|╰─)/.test(l)) break;
  }
  if (!marksAPlace(error)) {
    // Input ended inside a block, a call or an expression: swc marks no place (the place is past the
    // last character, and its header names the start of a line); the place is the end of the cell,
    // and a bare "Unexpected eof" gets Node's words.
    line = cellLines.length;
    column = Array.from(cellLines[line - 1] ?? "").length + 1;
    return new CellSyntaxError(/^Unexpected eof$/i.test(message) ? "Unexpected end of input" : message, line, column);
  }
  if (line < 1 || line > cellLines.length) line = Math.max(1, Math.min(line, cellLines.length));
  if (column < 1) column = 1;
  return new CellSyntaxError(message, line, column);
}
