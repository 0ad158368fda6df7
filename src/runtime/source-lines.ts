// A cell's or a file's lines as V8 and swc number them: `\r\n`, a lone `\r`,
// `\n`, U+2028 and U+2029 each end a line. A client on Windows may send a cell
// with `\r\n`; split at `\n` alone, every line shown kept a `\r` and a lone `\r`
// shifted the line numbers.

const LINE_BREAK = /\r\n?|\n|\u2028|\u2029/;

export function sourceLines(text: string): string[] {
  return text.split(LINE_BREAK);
}
