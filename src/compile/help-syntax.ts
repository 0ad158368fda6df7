// IPython's help syntax: `Math.max?`, `Math.max??` or `?Math.max` asks for the
// documentation of what is named, and runs nothing. None of them is valid
// TypeScript, so nothing else means this. The kernel pages the answer
// (kernel/execute.ts); is_complete takes such an input as finished (is-complete.ts).

const HELP = /^\s*\?{1,2}\s*([^?\n][^\n]*?)\s*$|^\s*([^?\n][^\n]*?)\s*\?{1,2}\s*$/;

/** The expression a help request asks about, or undefined when the code is no help request. */
export function helpTarget(code: string): string | undefined {
  const match = HELP.exec(code);
  return match ? (match[1] ?? match[2] ?? "") : undefined;
}
