// The input history the kernel keeps for history_request: `tail`, `range` and
// `search` (a glob, optionally unique), as IPython's history manager answers
// them. Sessions are numbered; this kernel's session is the newest.

import type { JsonObject } from "./messages.js";
import type { HistoryFile } from "./history-file.js";

type Entry = [session: number, line: number, input: string];
type Reply = [number, number, string | [string, null]];

export class History {
  /** This kernel's session number, once the file has been read for it. */
  private current: number | undefined;
  /** This session's inputs, as [line, input]: numbered with the session once it is known. */
  private readonly mine: [line: number, input: string][] = [];
  /** How many of `mine` are in the file. */
  private saved = 0;

  /**
   * With a file: this session is numbered one past the newest in it when first needed (the first
   * save, after the first cell's reply, or the first history request), and saved to it; earlier
   * sessions, and sessions other kernels have saved since, are read from it for each history
   * request, as IPython's queries read its database. Not at start-up: reading a long history
   * held the kernel's thread while the checker's tsgo was loading and waiting on that thread to
   * answer its file reads.
   */
  constructor(private readonly file?: HistoryFile) {}

  /** This kernel's session number: one past the newest in the file. */
  get session(): number {
    if (this.current === undefined) {
      this.current = (this.file?.lastSession() ?? 0) + 1;
      this.file?.startSession(this.current);
    }
    return this.current;
  }

  add(line: number, input: string): void {
    this.mine.push([line, input]);
  }

  /** Writes what add() recorded to the file: the kernel calls it after the reply, so file I/O is not part of a cell's round trip. */
  save(): void {
    if (this.file === undefined) return;
    const session = this.session;
    for (const [line, input] of this.mine.slice(this.saved)) this.file.append([session, line, input]);
    this.saved = this.mine.length;
  }

  query(request: JsonObject): Reply[] {
    const current = this.session;
    // This session's own inputs from memory (the file may not have the newest yet); the others'
    // ordered by session, as IPython orders them: one a kernel started later comes after this one.
    const others = (this.file?.entries() ?? []).filter(([session]) => session !== current);
    const entries: Entry[] = [...others, ...this.mine.map(([line, input]): Entry => [current, line, input])].sort((a, b) => a[0] - b[0]);
    const output = request.output === true;
    const shape = ([session, line, input]: Entry): Reply => [session, line, output ? [input, null] : input];
    const n = typeof request.n === "number" && request.n >= 0 ? request.n : undefined;
    switch (request.hist_access_type) {
      case "tail":
        return last(entries, n).map(shape);
      case "range": {
        // Positive: that session; negative: counted back from this one (-1 is the previous); 0 or none: this one.
        const asked = typeof request.session === "number" ? request.session : 0;
        const session = asked > 0 ? asked : current + asked;
        const start = typeof request.start === "number" ? request.start : 0;
        const stop = typeof request.stop === "number" ? request.stop : Infinity;
        return entries.filter(([s, line]) => s === session && line >= start && line < stop).map(shape);
      }
      case "search": {
        const pattern = globToRegExp(typeof request.pattern === "string" ? request.pattern : "*");
        let found = entries.filter(([, , input]) => pattern.test(input));
        if (request.unique === true) {
          const seen = new Set<string>();
          found = found.reverse().filter(([, , input]) => !seen.has(input) && seen.add(input) !== undefined).reverse();
        }
        return last(found, n).map(shape);
      }
      default:
        return [];
    }
  }
}

/** The last `n` entries (all without `n`); `slice(-0)` would be all of them, where IPython gives none. */
function last<T>(entries: T[], n: number | undefined): T[] {
  return n === undefined ? entries : entries.slice(Math.max(0, entries.length - n));
}

/**
 * IPython's search patterns are SQLite GLOBs over the whole input: `*`, `?`, and classes `[abc]`,
 * `[a-z]`, `[^abc]` (a `]` first in a class is one of its characters; a `[` that closes no class is itself).
 */
function globToRegExp(glob: string): RegExp {
  // Code points, so that a class of emoji is a class of characters, not of UTF-16 halves.
  const chars = [...glob];
  let body = "";
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === "*") body += "[\\s\\S]*";
    else if (char === "?") body += "[\\s\\S]";
    else if (char === "[") {
      let j = i + 1;
      const negated = chars[j] === "^";
      if (negated) j++;
      const first = j;
      if (chars[j] === "]") j++;
      const end = chars.indexOf("]", j);
      if (end === -1) {
        body += "\\[";
        continue;
      }
      const members = chars.slice(first, end).join("").replace(/[\\\]\[^]/g, "\\$&");
      body += `[${negated ? "^" : ""}${members}]`;
      i = end;
    } else body += char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  try {
    return new RegExp(`^${body}$`, "u");
  } catch {
    // A range backwards ([z-a]) matches nothing in SQLite; here it would not compile.
    return /(?!)/;
  }
}
