// What the reliability suite measured, kept so docs/RELIABILITY.md can be
// written from it. Each test file records its checks (what was tried, how many
// times, the figures, whether it held) into out/reliability/<section>.json; at
// the end of every file the document is rewritten from all sections present,
// so whichever file finishes last leaves the complete document behind.

import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../kernel/kernelspec.js";

export const FIGURES_DIR = join(PACKAGE_ROOT, "out", "reliability");
export const DOCUMENT = join(PACKAGE_ROOT, "docs", "RELIABILITY.md");

export type Figure = string | number | boolean;

export interface Check {
  /** The behaviour, as a sentence a user would read. */
  behaviour: string;
  /** What was done to the kernel, and how many times. */
  tried: string;
  figures: Record<string, Figure>;
  held: boolean;
}

export interface SectionRecord {
  section: string;
  title: string;
  date: string;
  node: string;
  checks: Check[];
}

/** The sections in the order the document shows them. */
export const SECTIONS: { section: string; title: string; intro: string }[] = [
  {
    section: "signatures",
    title: "Signatures: only the key holder is obeyed",
    intro:
      "Messages that are unsigned, signed with another key, altered after signing, or replayed are dropped before anything reads them; each kind is logged once on stderr.",
  },
  {
    section: "fuzz",
    title: "Malformed messages",
    intro:
      "Random multipart messages on the shell and control sockets, from a seeded generator (rerun a seed with `EPHEMERON_FUZZ_SEED=<seed>`): random frame counts and bytes, no delimiter, bad JSON, wrong header types, frames of several MB, and messages signed with the right key whose JSON or content is wrong, so everything past the HMAC check is exercised too. Every well-formed, correctly signed request among them must get exactly one reply. The messages with frames of several MB go first; the memory bound on the second half of the rest is what would show a leak (a run of 40,000 added 9 MB over its second 20,000).",
  },
  {
    section: "faults",
    title: "Faults in the runtime",
    intro:
      "Cells that end, crash or exhaust the runtime process. Each fault is reported to the cell that caused it, the runtime is replaced when it died, and the next cell runs.",
  },
  {
    section: "floods",
    title: "Output floods",
    intro: "Cells that print or return far more than a notebook can show.",
  },
  {
    section: "load",
    title: "Load",
    intro: "Many requests in a row, and more than one client at a time.",
  },
  {
    section: "lifecycle",
    title: "Lifecycle",
    intro: "How the kernel starts, refuses to start, and ends.",
  },
];

export class FigureBook {
  private readonly checks = new Map<string, Check>();

  constructor(private readonly section: string) {}

  /** Starts (or returns) a check; figures may be added while the test runs. */
  check(behaviour: string, tried: string): Check {
    let check = this.checks.get(behaviour);
    if (!check) {
      check = { behaviour, tried, figures: {}, held: false };
      this.checks.set(behaviour, check);
    }
    check.tried = tried;
    return check;
  }

  /** Writes this file's record and rewrites the document from every record there is. */
  save(): void {
    const meta = SECTIONS.find((s) => s.section === this.section);
    const record: SectionRecord = {
      section: this.section,
      title: meta?.title ?? this.section,
      date: new Date().toISOString(),
      node: process.version,
      checks: [...this.checks.values()],
    };
    mkdirSync(FIGURES_DIR, { recursive: true });
    const file = join(FIGURES_DIR, `${this.section}.json`);
    writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    writeDocument();
  }
}

function readRecords(): Map<string, SectionRecord> {
  const records = new Map<string, SectionRecord>();
  let names: string[] = [];
  try {
    names = readdirSync(FIGURES_DIR).filter((name) => name.endsWith(".json"));
  } catch {
    return records;
  }
  for (const name of names) {
    try {
      const record = JSON.parse(readFileSync(join(FIGURES_DIR, name), "utf8")) as SectionRecord;
      records.set(record.section, record);
    } catch {
      // a record being written right now: the next writer picks it up
    }
  }
  return records;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function formatFigure(value: Figure): string {
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(1);
  return String(value);
}

export function renderDocument(records: Map<string, SectionRecord>): string {
  const lines: string[] = [
    "# Reliability",
    "",
    "<!-- Written by the reliability suite (test/reliability/); do not edit by hand.",
    "     Regenerate: npm run build && npx vitest run test/reliability -->",
    "",
    "A kernel runs whatever it is sent, so it must run only what its own client sent, and",
    "survive anything a cell or a broken client does. This document is written by",
    "`test/reliability/*.test.ts`, which drive a real ephemeron kernel over ZeroMQ with the",
    "project's protocol client (`kernel/client.ts`). Every bound below is a count or a size,",
    "never a duration; speed belongs in the benchmark. Memory is resident set size",
    "(`VmRSS` in `/proc/<pid>/status`) of the kernel process and of the runtime child.",
    "",
  ];
  const all = [...records.values()];
  const checks = all.flatMap((record) => record.checks);
  const held = checks.filter((check) => check.held).length;
  const missing = SECTIONS.filter((s) => !records.has(s.section)).map((s) => s.section);
  lines.push(
    `**${held} of ${checks.length} checks held** in the last run of each section` +
      (missing.length ? ` (not run yet: ${missing.join(", ")})` : "") +
      ".",
    "",
  );
  for (const meta of SECTIONS) {
    const record = records.get(meta.section);
    lines.push(`## ${meta.title}`, "", meta.intro, "");
    if (!record) {
      lines.push("_Not run yet._", "");
      continue;
    }
    lines.push(`Last run ${record.date.slice(0, 10)} on Node ${record.node}.`, "");
    if (record.checks.length === 0) {
      lines.push("_No check of this section completed in its last run (its kernel did not start?): nothing here is claimed._", "");
      continue;
    }
    lines.push("| behaviour | what was tried | figures | held |", "| --- | --- | --- | --- |");
    for (const check of record.checks) {
      const figures = Object.entries(check.figures)
        .map(([name, value]) => `${name}: ${formatFigure(value)}`)
        .join("; ");
      lines.push(`| ${cell(check.behaviour)} | ${cell(check.tried)} | ${cell(figures)} | ${check.held ? "yes" : "**no**"} |`);
    }
    lines.push("");
  }
  lines.push(
    "## Limits",
    "",
    "* A result's `text/plain` is Node's `util.inspect` with `maxStringLength` 10,000 and",
    "  `maxArrayLength` 100: a 50 MB string shows its first 10,000 characters and says how many",
    "  more there are. Stream output and displays are not truncated.",
    "* Stream output is coalesced in the runtime: pending text is sent every 25 ms, or as soon",
    "  as 1 MiB (2^20 characters) is pending, and always before the cell's reply and `idle`.",
    "* The digest history that refuses replays holds the last 65,536 signatures (as",
    "  jupyter_client's `Session`), so it cannot grow without limit.",
    "* A message signed with the kernel's key is the client's by definition: the fuzzer signs",
    "  every request type except `shutdown_request`, which would legitimately end the kernel.",
    "* The runtime keeps every cell's source and source map, so a traceback through a function",
    "  defined long ago still shows its lines: about 3 KB of JavaScript heap per cell run.",
    "* The type checker (TypeScript 7's tsgo) gets a cell with lone surrogates replaced by U+FFFD",
    "  (tsgo 7.0.2 panics on them and then never answers), and a checker request unanswered for",
    "  30 s turns type checking, completion and inspection off for the session instead of",
    "  holding up every later cell.",
    "",
  );
  return lines.join("\n");
}

export function writeDocument(): void {
  const text = renderDocument(readRecords());
  mkdirSync(join(DOCUMENT, ".."), { recursive: true });
  writeFileSync(`${DOCUMENT}.tmp`, text);
  renameSync(`${DOCUMENT}.tmp`, DOCUMENT);
}
