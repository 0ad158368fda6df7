// The input history the kernel keeps for history_request: `tail`, `range` and
// `search` (a glob, optionally unique), as IPython's history manager answers
// them. Sessions are numbered; this kernel's session is the newest.

import type { JsonObject } from "./messages.js";
import type { HistoryFile } from "./history-file.js";

type Entry = [session: number, line: number, input: string];
type Reply = [number, number, string | [string, null]];

export class History {
  private readonly entries: Entry[];
  /** Entries added but not yet written to the file. */
  private readonly unsaved: Entry[] = [];
  readonly session: number;

  /** With a file: earlier sessions are loaded from it, this one is numbered one past them and saved to it. */
  constructor(private readonly file?: HistoryFile) {
    const earlier = file?.load() ?? { entries: [], lastSession: 0 };
    this.entries = earlier.entries;
    this.session = earlier.lastSession + 1;
    file?.startSession(this.session);
  }

  add(line: number, input: string): void {
    const entry: Entry = [this.session, line, input];
    this.entries.push(entry);
    if (this.file) this.unsaved.push(entry);
  }

  /** Writes what add() recorded to the file: the kernel calls it after the reply, so file I/O is not part of a cell's round trip. */
  save(): void {
    for (const entry of this.unsaved.splice(0)) this.file?.append(entry);
  }

  query(request: JsonObject): Reply[] {
    const output = request.output === true;
    const shape = ([session, line, input]: Entry): Reply => [session, line, output ? [input, null] : input];
    const n = typeof request.n === "number" && request.n >= 0 ? request.n : undefined;
    switch (request.hist_access_type) {
      case "tail":
        return (n === undefined ? this.entries : this.entries.slice(-n)).map(shape);
      case "range": {
        // Positive: that session; negative: counted back from this one (-1 is the previous); 0 or none: this one.
        const asked = typeof request.session === "number" ? request.session : 0;
        const session = asked > 0 ? asked : this.session + asked;
        const start = typeof request.start === "number" ? request.start : 0;
        const stop = typeof request.stop === "number" ? request.stop : Infinity;
        return this.entries.filter(([s, line]) => s === session && line >= start && line < stop).map(shape);
      }
      case "search": {
        const pattern = globToRegExp(typeof request.pattern === "string" ? request.pattern : "*");
        let found = this.entries.filter(([, , input]) => pattern.test(input));
        if (request.unique === true) {
          const seen = new Set<string>();
          found = found.reverse().filter(([, , input]) => !seen.has(input) && seen.add(input) !== undefined).reverse();
        }
        return (n === undefined ? found : found.slice(-n)).map(shape);
      }
      default:
        return [];
    }
  }
}

/** IPython's search patterns are shell globs over the whole input: `*` and `?`. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}
