// Positions in a cell's text. Jupyter counts a cursor in Unicode code points;
// JavaScript strings and the TypeScript API count UTF-16 code units. An
// astral-plane character (an emoji) is one code point and two code units.
// Error reports give columns in code points (type and syntax errors alike), and
// draw their caret by the width a terminal or notebook gives each character.

/** The UTF-16 offset of the `codePoints`-th code point of `text` (clamped to its length). */
export function codePointToUtf16(text: string, codePoints: number): number {
  let offset = 0;
  for (let seen = 0; seen < codePoints && offset < text.length; seen++) {
    offset += isHighSurrogateAt(text, offset) ? 2 : 1;
  }
  return offset;
}

/** How many code points precede UTF-16 offset `offset` in `text`. */
export function utf16ToCodePoint(text: string, offset: number): number {
  let codePoints = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (!(isLowSurrogate(text.charCodeAt(i)) && i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) codePoints++;
  }
  return codePoints;
}

/** 1-based line and column (in code points) of a UTF-16 offset, and that line's text. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number; sourceLine: string } {
  const clamped = Math.max(0, Math.min(offset, text.length));
  const lineStart = text.lastIndexOf("\n", clamped - 1) + 1;
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < lineStart; i = text.indexOf("\n", i + 1)) line++;
  let lineEnd = text.indexOf("\n", lineStart);
  if (lineEnd === -1) lineEnd = text.length;
  const sourceLine = text.slice(lineStart, lineEnd).replace(/\r$/, "");
  const column = utf16ToCodePoint(text.slice(lineStart), clamped - lineStart) + 1;
  return { line, column, sourceLine };
}

function isHighSurrogateAt(text: string, offset: number): boolean {
  return isHighSurrogate(text.charCodeAt(offset)) && offset + 1 < text.length && isLowSurrogate(text.charCodeAt(offset + 1));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The cells a character takes on screen: tabs are drawn as 4 (as swc draws them), wide characters and emoji as 2, combining marks as 0. */
export function displayWidth(ch: string): number {
  if (ch === "\t") return 4;
  if (/^[\p{Mn}\p{Me}\u200b-\u200f\ufe00-\ufe0f]$/u.test(ch)) return 0;
  const cp = ch.codePointAt(0)!;
  // East Asian wide and fullwidth ranges, and emoji: two cells.
  if (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/**
 * A caret under the character at 1-based code-point `column` of `line`, as the line is drawn: a
 * tab before it stays a tab, a wide character takes two spaces, a combining mark none.
 */
export function caretUnder(line: string, column: number): string {
  const before = Array.from(line).slice(0, Math.max(0, column - 1));
  return before.map((ch) => (ch === "\t" ? "\t" : " ".repeat(displayWidth(ch)))).join("") + "^";
}
