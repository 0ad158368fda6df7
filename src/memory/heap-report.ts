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
  /** Live objects per class: the notebook's classes, or the most common classes in a plain program. */
  readonly classes: Readonly<Record<string, number>>;
  [DISPLAY](): Record<string, string>;
}

const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function formatHeapText(report: Omit<HeapReport, typeof DISPLAY>): string {
  const lines = [`heap: ${mb(report.usedHeapSize)} used of ${mb(report.totalHeapSize)} (limit ${mb(report.heapSizeLimit)})`];
  for (const s of report.spaces) lines.push(`  ${s.name.padEnd(24)} ${mb(s.used).padStart(10)} of ${mb(s.size)}`);
  const classes = Object.entries(report.classes);
  if (classes.length > 0) {
    lines.push("live objects:");
    for (const [name, n] of classes) lines.push(`  ${name.padEnd(24)} ${String(n).padStart(8)}`);
  }
  return lines.join("\n");
}

function formatHeapHtml(report: Omit<HeapReport, typeof DISPLAY>): string {
  const rows = report.spaces
    .map((s) => `<tr><td>${escapeHtml(s.name)}</td><td style="text-align:right">${mb(s.used)}</td><td style="text-align:right">${mb(s.size)}</td></tr>`)
    .join("");
  const classRows = Object.entries(report.classes)
    .map(([name, n]) => `<tr><td>${escapeHtml(name)}</td><td style="text-align:right">${n}</td></tr>`)
    .join("");
  const width = 420;
  const barH = 18;
  const max = Math.max(1, ...report.spaces.map((s) => s.size));
  const bars = report.spaces
    .map((s, i) => {
      const y = i * (barH + 4);
      const total = Math.round((s.size / max) * (width - 170));
      const used = Math.round((s.used / max) * (width - 170));
      return `<text x="0" y="${y + 13}" font-size="11">${escapeHtml(s.name)}</text>` +
        `<rect x="160" y="${y}" width="${total}" height="${barH}" fill="#ddd"/>` +
        `<rect x="160" y="${y}" width="${used}" height="${barH}" fill="#4a7ebb"/>`;
    })
    .join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${report.spaces.length * (barH + 4)}">${bars}</svg>`;
  return `<table><caption>heap: ${mb(report.usedHeapSize)} used of ${mb(report.totalHeapSize)}</caption>` +
    `<tr><th>space</th><th>used</th><th>size</th></tr>${rows}</table>` +
    (classRows === "" ? "" : `<table><tr><th>class</th><th>live objects</th></tr>${classRows}</table>`) +
    svg;
}


export function makeHeapReport(data: Omit<HeapReport, typeof DISPLAY>): HeapReport {
  const report = {
    ...data,
    [DISPLAY](): Record<string, string> {
      return { "text/plain": formatHeapText(data), "text/html": formatHeapHtml(data) };
    },
  };
  Object.defineProperty(report, inspect.custom, {
    value: () => formatHeapText(data),
    enumerable: false,
  });
  Object.defineProperty(report, DISPLAY, { enumerable: false });
  return report;
}
