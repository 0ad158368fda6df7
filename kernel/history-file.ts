// The history file: every stored input of every session, one JSON line each,
// under the Jupyter data dir ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter)
// as ephemeron/history.jsonl, so a restarted kernel (a new session, numbered
// one past the last) still finds earlier sessions, as IPython's history.sqlite
// does. Bounded: when the file grows past MAX_BYTES it is rewritten with its
// newest entries only. Lines are appended whole (O_APPEND), so two kernels
// writing at once do not tear each other's lines.

import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createLogger } from "./log.js";

const log = createLogger("history");
/** Past this size the file is compacted at start-up… */
const MAX_BYTES = 2 * 1024 * 1024;
/** …down to its newest entries, at most this many. */
const KEEP_ENTRIES = 5000;

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

  /** Every stored entry and the newest session number (0 when there is no file). */
  load(): { entries: HistoryEntry[]; lastSession: number } {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      return { entries: [], lastSession: 0 };
    }
    const entries: HistoryEntry[] = [];
    let lastSession = 0;
    for (const raw of text.split("\n")) {
      if (raw === "") continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue; // a torn or foreign line costs that line only
      }
      if (typeof line.session !== "number") continue;
      lastSession = Math.max(lastSession, line.session);
      if ("input" in line && typeof line.input === "string" && typeof line.line === "number") entries.push([line.session, line.line, line.input]);
    }
    if (text.length > MAX_BYTES) {
      const kept = entries.slice(-KEEP_ENTRIES);
      this.compact(kept, lastSession);
      return { entries: kept, lastSession };
    }
    return { entries, lastSession };
  }

  startSession(session: number): void {
    this.write({ session, start: new Date().toISOString() });
  }

  append([session, line, input]: HistoryEntry): void {
    this.write({ session, line, input });
  }

  private compact(entries: HistoryEntry[], lastSession: number): void {
    try {
      const lines = [{ session: lastSession, start: new Date().toISOString() }, ...entries.map(([session, line, input]) => ({ session, line, input }))];
      const temporary = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temporary, lines.map((line) => JSON.stringify(line) + "\n").join(""));
      renameSync(temporary, this.path);
    } catch (error) {
      log.warn(`cannot compact ${this.path}: ${(error as Error).message}`);
    }
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
