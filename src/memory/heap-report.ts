/**
 * `gc.heap()`: heap use and live objects per class, displayable.
 *
 * Loosely mirrors what CPython offers through `gc.get_stats()`, `gc.get_count()`
 * and `sys.getallocatedblocks()`, but reports V8's numbers: used/total heap, the
 * size of each heap space, and (from a heap snapshot) how many instances of each
 * of the notebook's classes are alive. Displayed through the
 * `Symbol.for("Jupyter.display")` convention (an HTML table and an SVG bar
 * chart), and as text through `util.inspect.custom`.
 */
import { inspect } from "node:util";

/** Deno's display convention, honoured by the runtime's display. */
export const DISPLAY: unique symbol = Symbol.for("Jupyter.display") as typeof DISPLAY;

export interface HeapSpace {
  readonly name: string;
  readonly used: number;
  readonly size: number;
}

export interface HeapReport {
  readonly usedHeapSize: number;
  readonly totalHeapSize: number;
  readonly heapSizeLimit: number;
  readonly spaces: readonly HeapSpace[];
  /** Bytes of ArrayBuffer and typed-array contents, kept outside V8's heap spaces (`process.memoryUsage().arrayBuffers`). */
  readonly arrayBuffers: number;
  /** Live objects per class: the notebook's classes, or the most common classes in a plain program. */
  readonly classes: Readonly<Record<string, number>>;
  [DISPLAY](): Record<string, string>;
}

/** What `gc.heap(options)` shows. */
export interface HeapOptions {
  /** "MB": every figure in whole megabytes (and the chart drawn from them), so a notebook shows the same on every run. Default: tenths of a MB. */
  readonly precision?: "MB" | "0.1MB";
  /** Only these rows, in this order: V8 space names and "array_buffers"; the caption's heap totals are then left out. Default: every space, then array_buffers. */
  readonly spaces?: readonly string[];
}

type ReportData = Omit<HeapReport, typeof DISPLAY>;

const MB = 1048576;

const formatter = (options: HeapOptions) =>
  options.precision === "MB" ? (n: number): string => `${Math.round(n / MB)} MB` : (n: number): string => `${(n / MB).toFixed(1)} MB`;

/** The figures a report shows: rounded as asked, so the chart is as stable as the table. */
function rowsOf(report: ReportData, options: HeapOptions): HeapSpace[] {
  const all: HeapSpace[] = [...report.spaces, { name: "array_buffers", used: report.arrayBuffers, size: report.arrayBuffers }];
  const chosen = options.spaces === undefined ? all : options.spaces.map((name) => all.find((s) => s.name === name) ?? { name, used: 0, size: 0 });
  const round = options.precision === "MB" ? (n: number) => Math.round(n / MB) * MB : (n: number) => n;
  return chosen.map((s) => ({ name: s.name, used: round(s.used), size: round(s.size) }));
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function formatHeapText(report: ReportData, options: HeapOptions = {}): string {
  const mb = formatter(options);
  const lines = options.spaces === undefined ? [`heap: ${mb(report.usedHeapSize)} used of ${mb(report.totalHeapSize)} (limit ${mb(report.heapSizeLimit)})`] : ["memory:"];
  const rows = rowsOf(report, options);
  const classes = Object.entries(report.classes);
  // One column for the names of both tables, as wide as the longest (shared_large_object_space is 25).
  const width = Math.max(24, ...rows.map((s) => s.name.length), ...classes.map(([name]) => name.length));
  for (const s of rows) lines.push(`  ${s.name.padEnd(width)} ${mb(s.used).padStart(10)} of ${mb(s.size)}`);
  if (classes.length > 0) {
    lines.push("live objects:");
    for (const [name, n] of classes) lines.push(`  ${name.padEnd(width)} ${String(n).padStart(8)}`);
  }
  return lines.join("\n");
}

function formatHeapHtml(report: ReportData, options: HeapOptions = {}): string {
  const mb = formatter(options);
  const spaces = rowsOf(report, options);
  const rows = spaces
    .map((s) => `<tr><td>${escapeHtml(s.name)}</td><td style="text-align:right">${mb(s.used)}</td><td style="text-align:right">${mb(s.size)}</td></tr>`)
    .join("");
  const classRows = Object.entries(report.classes)
    .map(([name, n]) => `<tr><td>${escapeHtml(name)}</td><td style="text-align:right">${n}</td></tr>`)
    .join("");
  const width = 420;
  const barH = 18;
  const max = Math.max(1, ...spaces.map((s) => s.size));
  const bars = spaces
    .map((s, i) => {
      const y = i * (barH + 4);
      const total = Math.round((s.size / max) * (width - 170));
      const used = Math.round((s.used / max) * (width - 170));
      return `<text x="0" y="${y + 13}" font-size="11">${escapeHtml(s.name)}</text>` +
        `<rect x="160" y="${y}" width="${total}" height="${barH}" fill="#ddd"/>` +
        `<rect x="160" y="${y}" width="${used}" height="${barH}" fill="#4a7ebb"/>` +
        `<text x="${164 + total}" y="${y + 13}" font-size="11">${mb(s.used)}</text>`;
    })
    .join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 60}" height="${spaces.length * (barH + 4)}">${bars}</svg>`;
  const caption = options.spaces === undefined ? `heap: ${mb(report.usedHeapSize)} used of ${mb(report.totalHeapSize)}` : "memory";
  return `<table><caption>${caption}</caption>` +
    `<tr><th>space</th><th>used</th><th>size</th></tr>${rows}</table>` +
    (classRows === "" ? "" : `<table><tr><th>class</th><th>live objects</th></tr>${classRows}</table>`) +
    svg;
}


export function makeHeapReport(data: ReportData, options: HeapOptions = {}): HeapReport {
  const report = {
    ...data,
    [DISPLAY](): Record<string, string> {
      return { "text/plain": formatHeapText(data, options), "text/html": formatHeapHtml(data, options) };
    },
  };
  Object.defineProperty(report, inspect.custom, {
    value: () => formatHeapText(data, options),
    enumerable: false,
  });
  Object.defineProperty(report, DISPLAY, { enumerable: false });
  return report;
}
