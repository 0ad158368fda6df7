// IPython's help syntax: `Math.max?`, `Math.max??` or `?Math.max` asks for the
// documentation of what is named; a cell that is only that runs nothing, and one
// with code around such a line runs the code first (helpLines). The named thing is a name,
// a member path (`fs.promises.readFile`, `a?.b`, `list[0]`) or a call (`f()`):
// `const y = a ??` and `x ? ` are TypeScript that goes on in the next line, not
// help. The kernel pages the answer (kernel/execute.ts); is_complete takes such
// an input as finished (is-complete.ts).

const NAME = String.raw`[\p{ID_Start}$_#][\p{ID_Continue}$\u200c\u200d]*`;
const PATH = String.raw`${NAME}(?:\s*(?:\?\.|\.)\s*${NAME}|\[[^\]\n]*\]|\([^)\n]*\))*`;
const HELP = new RegExp(String.raw`^\s*\?{1,2}\s*(${PATH})\s*$|^\s*(${PATH})\s*\?{1,2}\s*$`, "u");

/** The expression a help request asks about, or undefined when the code is no help request. */
export function helpTarget(code: string): string | undefined {
  const match = HELP.exec(code);
  return match ? (match[1] ?? match[2] ?? "") : undefined;
}

/**
 * A cell of code with help requests on lines of their own (`const sizes = [3, 1]` then `sizes?`),
 * as IPython takes one: `code`, the cell with those lines blanked (the others keep their numbers),
 * to run first; `request`, the last of them, to page after; `last`, whether it ends the cell (the
 * code's value is then no result, as IPython shows none). Undefined when no line is a help request.
 * Only for a cell that does not parse as TypeScript as it is: `a\n?? b` reads on.
 */
export function helpLines(cell: string): { code: string; request: string; last: boolean } | undefined {
  const lines = cell.split("\n");
  let request: string | undefined;
  let at = -1;
  const code = lines.map((line, index) => {
    if (helpTarget(line) === undefined) return line;
    request = line.trim();
    at = index;
    return line.endsWith("\r") ? "\r" : "";
  });
  if (request === undefined) return undefined;
  return { code: code.join("\n"), request, last: lines.slice(at + 1).every((line) => line.trim() === "") };
}

const NAME_PATH = new RegExp(String.raw`^${NAME}(?:\s*\??\.\s*${NAME})*$`, "u");

/** The names of a help target that is a path of names (`fs.promises`, `a?.b`), to read its live value by; undefined for a call or an index. */
export function namePath(expression: string): string[] | undefined {
  if (!NAME_PATH.test(expression)) return undefined;
  return expression.split(/\??\./).map((name) => name.trim());
}

/** Whether a help request asks for the source too (`f??`, `??f`), as IPython's `??` does. */
export function wantsSource(code: string): boolean {
  return /^\s*\?\?|\?\?\s*$/.test(code);
}
