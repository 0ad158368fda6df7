// Reading a notebook that a run wrote, as the tests check it: loosely typed on
// purpose (it is whatever ephemeron or nbconvert put on disk), with the helpers
// every notebook test needs.

import { readFileSync } from "node:fs";
import { joinSource } from "../../kernel/notebook.js";

export interface OutputJson {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
  execution_count?: number;
}

export interface CellJson {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: OutputJson[];
  execution_count?: number | null;
}

export interface NotebookJson {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: CellJson[];
}

export function readNotebookFile(path: string): NotebookJson {
  return JSON.parse(readFileSync(path, "utf8")) as NotebookJson;
}

/** Multi-line text as nbformat may store it (a string or a list of lines), joined. */
export const text = (value: string | string[] | undefined): string => (value === undefined ? "" : joinSource(value));

export const stdoutOf = (cell: CellJson): string =>
  (cell.outputs ?? []).filter((o) => o.output_type === "stream" && o.name === "stdout").map((o) => text(o.text)).join("");

export const resultOf = (cell: CellJson): string => text((cell.outputs ?? []).find((o) => o.output_type === "execute_result")?.data?.["text/plain"]);
