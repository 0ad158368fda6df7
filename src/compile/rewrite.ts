// Text edits on a generated JavaScript text, kept as pieces so that the source map of that
// text can be carried through them exactly (a small magic-string of our own: insertions,
// removals and moves of whole ranges to a head section, nothing else).

import { OffsetMap, type OffsetSegment } from "./sourcemap.js";

/** Text we write ourselves; `origin` is the offset in the edited text whose mapping it borrows. */
interface Inserted {
  text: string;
  origin?: number;
}
/** A range [start, end) of the edited text, copied as is. */
interface Slice {
  start: number;
  end: number;
}
type Piece = Inserted | Slice;

function isSlice(piece: Piece): piece is Slice {
  return (piece as Slice).start !== undefined;
}

export class Rewrite {
  private readonly inserts = new Map<number, Inserted[]>();
  private readonly removals: Slice[] = [];
  private readonly head: Piece[] = [];
  /** Ranges moved to the head: the inserts inside them go with them. */
  private readonly moved: Slice[] = [];

  constructor(readonly text: string) {}

  /** Writes `text` before whatever the original text has at `at` (after earlier inserts there). */
  insert(at: number, text: string, origin?: number): void {
    let list = this.inserts.get(at);
    if (!list) this.inserts.set(at, (list = []));
    list.push({ text, origin });
  }

  /** Writes `text` before whatever the original text has at `at`, and before earlier inserts there (a closer of something opened inside them). */
  insertFirst(at: number, text: string, origin?: number): void {
    let list = this.inserts.get(at);
    if (!list) this.inserts.set(at, (list = []));
    list.unshift({ text, origin });
  }

  /** Drops [start, end) of the original text (inserts at its bounds and inside it stay). */
  remove(start: number, end: number): void {
    if (end > start) this.removals.push({ start, end });
  }

  /** Appends our own text to the head section. */
  headText(text: string, origin?: number): void {
    this.head.push({ text, origin });
  }

  /** Moves [start, end) of the original text, with the inserts inside it, to the end of the head section. */
  headSlice(start: number, end: number): void {
    if (end <= start) return;
    this.head.push({ start, end });
    this.moved.push({ start, end });
    this.remove(start, end);
  }

  /**
   * The edited text, `prefix` + head + body + `suffix`, and the map segments of it, found by
   * carrying every segment of `map` (the map of the original text) to where its text went.
   */
  build(prefix: string, suffix: string, map: OffsetMap): { text: string; segments: OffsetSegment[] } {
    const body: Piece[] = [];
    const points = new Set<number>([0, this.text.length]);
    for (const at of this.inserts.keys()) points.add(at);
    for (const r of this.removals) {
      points.add(r.start);
      points.add(r.end);
    }
    const sorted = [...points].sort((a, b) => a - b);
    const movedInside = (p: number): boolean => this.moved.some((m) => m.start < p && p < m.end);
    const head: Piece[] = [];
    for (const piece of this.head) {
      if (!isSlice(piece)) {
        head.push(piece);
        continue;
      }
      let from = piece.start;
      for (const p of sorted) {
        const inserted = p > piece.start && p < piece.end ? this.inserts.get(p) : undefined;
        if (!inserted) continue;
        head.push({ start: from, end: p }, ...inserted);
        from = p;
      }
      head.push({ start: from, end: piece.end });
    }
    const removals = [...this.removals].sort((a, b) => a.start - b.start);
    let r = 0;
    for (let i = 0; i < sorted.length; i++) {
      const p = sorted[i]!;
      const inserted = this.inserts.get(p);
      if (inserted && !movedInside(p)) body.push(...inserted);
      if (i + 1 === sorted.length) break;
      const next = sorted[i + 1]!;
      while (r < removals.length && removals[r]!.end <= p) r++;
      // Removals may overlap (a moved range inside a removed one): check every candidate.
      let removed = false;
      for (let k = r; k < removals.length && removals[k]!.start <= p; k++) {
        if (removals[k]!.end >= next) {
          removed = true;
          break;
        }
      }
      if (!removed) {
        const last = body[body.length - 1];
        if (last && isSlice(last) && last.end === p) last.end = next;
        else body.push({ start: p, end: next });
      }
    }

    let text = prefix;
    const segments: OffsetSegment[] = [{ at: 0 }];
    for (const piece of [...head, ...body]) {
      const out = text.length;
      if (isSlice(piece)) {
        const first = map.firstAtOrAfter(piece.start);
        if (map.segments[first]?.at !== piece.start) {
          segments.push({ at: out, original: map.lookup(piece.start) });
        }
        for (let s = first; s < map.segments.length; s++) {
          const seg = map.segments[s]!;
          if (seg.at >= piece.end) break;
          segments.push({ at: out + seg.at - piece.start, original: seg.original });
        }
        text += this.text.slice(piece.start, piece.end);
      } else {
        if (piece.text.length === 0) continue;
        segments.push({ at: out, original: piece.origin === undefined ? undefined : map.lookup(piece.origin) });
        text += piece.text;
      }
    }
    segments.push({ at: text.length });
    text += suffix;
    return { text, segments };
  }
}
