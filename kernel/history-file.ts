// The history file: every stored input of every session, one JSON line each,
// under the Jupyter data dir ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter)
// as ephemeron/history.jsonl, so a restarted kernel (a new session, numbered
// one past the last) still finds earlier sessions, as IPython's history.sqlite
// does. Bounded: when the file grows past MAX_BYTES it is rewritten with its
// newest entries only. Lines are appended whole (O_APPEND), so two kernels
// writing at once do not tear each other's lines. The file is the store: a
// kernel reads it when a client asks for history, and keeps none of it (a
// history near its bound held 4.5 MB of the kernel's memory for good).

import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createLogger } from "./log.js";

const log = createLogger("history");
/** Past this size the file is compacted when a kernel starts its session… */
const MAX_BYTES = 2 * 1024 * 1024;
/**
 * …down to its newest entries, at most this many, and in at most half the bound (room for many
 * sessions before the next compaction): a few huge inputs would otherwise keep it past the bound,
 * compacted again by every kernel.
 */
const KEEP_ENTRIES = 5000;
const KEEP_BYTES = MAX_BYTES / 2;
/** How much of the file a scan for the newest session holds at once. */
const SCAN_CHUNK = 64 * 1024;

export type HistoryEntry = [session: number, line: number, input: string];

type Line = { session: number; start: string } | { session: number; line: number; input: string };

/**
 * Jupyter's data dir for this user, as jupyter_core's jupyter_data_dir() finds it (`ephemeron
 * install --user` writes the kernelspec there too). A variable set but empty counts as unset, as
 * there: `XDG_DATA_HOME=` means ~/.local/share, not a folder named `jupyter` in the current one.
 */
export function jupyterDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (process.platform === "win32") return join(env.APPDATA || join(homedir(), "AppData", "Roaming"), "jupyter");
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  return join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter");
}

export class HistoryFile {
  private broken = false;

  constructor(readonly path: string) {}

  static default(): HistoryFile {
    return new HistoryFile(join(jupyterDataDir(), "ephemeron", "history.jsonl"));
  }

  /** Every stored entry, in the file's order (none when there is no file). */
  entries(): HistoryEntry[] {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      return [];
    }
    const entries: HistoryEntry[] = [];
    for (const raw of text.split("\n")) {
      const line = parsed(raw);
      if (line && "input" in line && typeof line.input === "string" && typeof line.line === "number") entries.push([line.session, line.line, line.input]);
    }
    return entries;
  }

  /**
   * The newest session number in the file (0 when there is none), after compacting a file past
   * its bound. Read a chunk at a time and matched, not parsed: parsing each line's input kept
   * megabytes of the kernel's heap grown after the strings were dropped.
   */
  lastSession(): number {
    if (this.size() > MAX_BYTES) return this.compact();
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch {
      return 0;
    }
    let last = 0;
    try {
      const buffer = Buffer.alloc(SCAN_CHUNK);
      let carry = "";
      for (let n: number; (n = readSync(fd, buffer, 0, SCAN_CHUNK, null)) > 0; ) {
        // latin1: one character per byte, and the session field is ASCII; a line cut by the chunk waits for its end.
        const lines = (carry + buffer.toString("latin1", 0, n)).split("\n");
        carry = lines.pop()!;
        for (const line of lines) last = Math.max(last, sessionOf(line));
      }
      last = Math.max(last, sessionOf(carry));
    } catch {
      // An unreadable file numbers this session from what was read.
    } finally {
      closeSync(fd);
    }
    return last;
  }

  startSession(session: number): void {
    this.write({ session, start: new Date().toISOString() });
  }

  append([session, line, input]: HistoryEntry): void {
    this.write({ session, line, input });
  }

  /** Rewrites the file with its newest entries that fit KEEP_ENTRIES and KEEP_BYTES; returns the newest session number. */
  private compact(): number {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      return 0;
    }
    const raws = text.split("\n");
    let lastSession = 0;
    for (const raw of raws) lastSession = Math.max(lastSession, sessionOf(raw));
    // The newest first, as raw lines: an entry is checked, not rebuilt.
    const kept: string[] = [];
    let bytes = 0;
    for (let i = raws.length - 1; i >= 0 && kept.length < KEEP_ENTRIES; i--) {
      const line = parsed(raws[i]!);
      if (!line || !("input" in line)) continue;
      const size = Buffer.byteLength(raws[i]!) + 1;
      // An input larger than the whole allowance on its own (a pasted 3 MB cell) is left out, and the older ones kept.
      if (size > KEEP_BYTES) continue;
      bytes += size;
      if (bytes > KEEP_BYTES) break;
      kept.push(raws[i]!);
    }
    try {
      const temporary = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temporary, [JSON.stringify({ session: lastSession, start: new Date().toISOString() }), ...kept.reverse()].map((line) => line + "\n").join(""));
      renameSync(temporary, this.path);
    } catch (error) {
      log.warn(`cannot compact ${this.path}: ${(error as Error).message}`);
    }
    return lastSession;
  }

  private write(line: Line): void {
    if (this.broken) return;
    const text = JSON.stringify(line) + "\n";
    try {
      try {
        appendFileSync(this.path, text);
      } catch {
        // The folder is made when first needed (or again, if it was removed), not before every line.
        mkdirSync(dirname(this.path), { recursive: true });
        appendFileSync(this.path, text);
      }
    } catch (error) {
      // History is a convenience: a read-only home must not stop the kernel.
      this.broken = true;
      log.warn(`history is not saved: ${(error as Error).message}`);
    }
  }

  /** Size of the file in bytes (tests). */
  size(): number {
    try {
      return statSync(this.path).size;
    } catch {
      return 0;
    }
  }
}

/** A line of the file, or undefined for a torn or foreign one (which costs that line only). */
function parsed(raw: string): Line | undefined {
  if (raw === "") return undefined;
  try {
    const line = JSON.parse(raw) as Line;
    return typeof line?.session === "number" ? line : undefined;
  } catch {
    return undefined;
  }
}

/** The session number a line of the file starts with, as JSON.stringify wrote it (0 for any other line). */
function sessionOf(line: string): number {
  const match = /^\{"session":(\d+)[,}]/.exec(line);
  return match ? Number(match[1]) : 0;
}
