// IPython's help syntax: `Math.max?`, `Math.max??` or `?Math.max` asks for the
// documentation of what is named, and runs nothing. The named thing is a name,
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
