// Source map v3: the Base64 VLQ codec and the offset-based view of a map that the cell
// transform needs to carry swc's type-stripping map through its own text edits.
//
// Positions here are JavaScript string offsets (UTF-16 code units), as V8 reports columns in
// stack traces; lines and columns inside the map are 0-based, as the v3 format says.

import type { SourceMapV3 } from "../runtime/protocol.js";

export type { SourceMapV3 };

/** One decoded segment: [generatedColumn] (unmapped) or
 *  [generatedColumn, sourceIndex, originalLine, originalColumn(, nameIndex)]. */
export type Segment = number[];

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_VALUE[BASE64.charCodeAt(i)] = i;

export function encodeVlq(value: number): string {
  let vlq = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = "";
  do {
    let digit = vlq & 31;
    vlq >>>= 5;
    if (vlq > 0) digit |= 32;
    out += BASE64[digit];
  } while (vlq > 0);
  return out;
}

/** Decodes `mappings` into one array of segments per generated line, with absolute values. */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let source = 0, origLine = 0, origCol = 0, name = 0;
  let genCol = 0;
  let fields: number[] = [];
  let value = 0, shift = 0;
  const flushSegment = (): void => {
    if (fields.length === 0) return;
    genCol += fields[0]!;
    if (fields.length >= 4) {
      source += fields[1]!;
      origLine += fields[2]!;
      origCol += fields[3]!;
      if (fields.length >= 5) {
        name += fields[4]!;
        line.push([genCol, source, origLine, origCol, name]);
      } else {
        line.push([genCol, source, origLine, origCol]);
      }
    } else {
      line.push([genCol]);
    }
    fields = [];
  };
  for (let i = 0; i < mappings.length; i++) {
    const ch = mappings.charCodeAt(i);
    if (ch === 44 /* , */) {
      flushSegment();
    } else if (ch === 59 /* ; */) {
      flushSegment();
      lines.push(line);
      line = [];
      genCol = 0;
    } else {
      const digit = ch < 128 ? BASE64_VALUE[ch]! : -1;
      if (digit < 0) throw new Error(`invalid source map character ${JSON.stringify(mappings[i])}`);
      value += (digit & 31) << shift;
      if (digit & 32) {
        shift += 5;
      } else {
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
    }
  }
  flushSegment();
  lines.push(line);
  return lines;
}

/** Encodes absolute segments (one array per generated line, sorted by column) into `mappings`. */
export function encodeMappings(lines: readonly (readonly Segment[])[]): string {
  let out = "";
  let source = 0, origLine = 0, origCol = 0, name = 0;
  for (let l = 0; l < lines.length; l++) {
    if (l > 0) out += ";";
    let genCol = 0;
    const segments = lines[l]!;
    for (let s = 0; s < segments.length; s++) {
      const seg = segments[s]!;
      if (s > 0) out += ",";
      out += encodeVlq(seg[0]! - genCol);
      genCol = seg[0]!;
      if (seg.length >= 4) {
        out += encodeVlq(seg[1]! - source) + encodeVlq(seg[2]! - origLine) + encodeVlq(seg[3]! - origCol);
        source = seg[1]!;
        origLine = seg[2]!;
        origCol = seg[3]!;
        if (seg.length >= 5) {
          out += encodeVlq(seg[4]! - name);
          name = seg[4]!;
        }
      }
    }
  }
  return out;
}

/** Offsets at which each line of `text` starts (line terminators as V8 counts them for stack lines). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */ || ch === 0x2028 || ch === 0x2029) starts.push(i + 1);
    else if (ch === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Index of the line holding `offset`, given the line starts. */
export function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A mapping seen by generated string offset: what a piece of generated text maps back to. */
export interface OffsetSegment {
  /** Offset in the generated text. */
  at: number;
  /** The original position (`[sourceIndex, line, column]`), or undefined for an unmapped segment. */
  original?: [number, number, number];
}

/** A decoded map of some generated text, searchable by string offset. */
export class OffsetMap {
  readonly segments: OffsetSegment[] = [];
  private readonly starts: number[];

  constructor(generated: string, mappings: string) {
    this.starts = lineStarts(generated);
    const lines = decodeMappings(mappings);
    for (let l = 0; l < lines.length && l < this.starts.length; l++) {
      const base = this.starts[l]!;
      for (const seg of lines[l]!) {
        this.segments.push({
          at: base + seg[0]!,
          original: seg.length >= 4 ? [seg[1]!, seg[2]!, seg[3]!] : undefined,
        });
      }
    }
    this.segments.sort((a, b) => a.at - b.at);
  }

  /** Index of the first segment at or after `offset`. */
  firstAtOrAfter(offset: number): number {
    let lo = 0, hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid]!.at < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The original position in effect at `offset`: the last segment at or before it on the same line. */
  lookup(offset: number): [number, number, number] | undefined {
    const i = this.firstAtOrAfter(offset + 1) - 1;
    if (i < 0) return undefined;
    const seg = this.segments[i]!;
    const lineStart = this.starts[lineOf(this.starts, offset)]!;
    return seg.at >= lineStart ? seg.original : undefined;
  }
}

/** Builds a map from absolute offset segments of the final text (sorted by offset). */
export function buildSourceMap(
  finalText: string,
  segments: readonly OffsetSegment[],
  source: { filename: string; content: string },
): SourceMapV3 {
  const starts = lineStarts(finalText);
  const lines: Segment[][] = starts.map(() => []);
  let line = 0;
  for (const seg of segments) {
    while (line + 1 < starts.length && starts[line + 1]! <= seg.at) line++;
    const col = seg.at - starts[line]!;
    const out = lines[line]!;
    const last = out[out.length - 1];
    const entry: Segment = seg.original ? [col, ...seg.original] : [col];
    // Two segments at one column: the later one wins (it belongs to the text emitted there).
    if (last && last[0] === col) out[out.length - 1] = entry;
    else out.push(entry);
  }
  while (lines.length > 1 && lines[lines.length - 1]!.length === 0) lines.pop();
  return {
    version: 3,
    sources: [source.filename],
    sourcesContent: [source.content],
    names: [],
    mappings: encodeMappings(lines),
  };
}
