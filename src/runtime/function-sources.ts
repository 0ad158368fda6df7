// A function's text, as `f.toString()` and `String(f)` give it: the cell's source as the user wrote
// it, as V8 gives a script's own text. What V8 has is the compiled cell (transform.ts): swc's
// reformatted JavaScript, a function declaration's name dropped when its body calls it, and the
// interrupt checks woven into every async function. So the transform marks each function it can
// place in the cell's source with a comment right after the function's first token (where no
// nested function can come first), `/*@ephemeron KEY START END*/`, KEY naming the cell's source
// by its content (a cell run again as it was reuses its compiled code under a new name) and
// START..END the function's place in it; the notebook's Function.prototype.toString gives that
// slice instead of the compiled text.
//
// Differs from Node on TypeScript: the text keeps the types as written, where Node's own type
// stripping leaves blanks in their place (and tsc/swc-based runners show their JavaScript).

import { createHash } from "node:crypto";

const MARK_START = "/*@ephemeron ";
const MARK = /\/\*@ephemeron ([0-9a-f]{12}) (\d+) (\d+)\*\//;
const EVERY_MARK = /\/\*@ephemeron [0-9a-f]{12} \d+ \d+\*\//g;
/**
 * A function's first token as V8's text of it starts, after which a comment is allowed and no
 * nested function starts: a keyword, a name, `#name`, a string or number (a method's key), `(`, `[`, `*`.
 */
export const FIRST_TOKEN = /^(?:#?[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\.?\d[\w.]*|[(\[*])/u;
/** Sources kept for function texts: as many cells as tracebacks keep (traceback.ts). */
const REMEMBERED_SOURCES = 1000;

/** The key by which a cell's source is known to the marks in its compiled code. */
export function sourceKey(source: string): string {
  return createHash("sha1").update(source).digest("hex").slice(0, 12);
}

/** The comment the transform writes into a function whose text is `source`'s [start, end). */
export function functionSourceMark(key: string, start: number, end: number): string {
  return `${MARK_START}${key} ${start} ${end}*/`;
}

export class FunctionSources {
  private readonly sources = new Map<string, string>();

  /** A cell's source, which the marks of its functions point into. */
  remember(source: string): void {
    const key = sourceKey(source);
    this.sources.delete(key);
    if (this.sources.size >= REMEMBERED_SOURCES) this.sources.delete(this.sources.keys().next().value!);
    this.sources.set(key, source);
  }

  /**
   * `compiled` (what V8 gives for a function), as the cell wrote it. Its own mark follows its first
   * token; without one (a function swc wrote), or when its cell is forgotten, the compiled text
   * without the marks of the functions inside it.
   */
  text(compiled: string): string {
    if (!compiled.includes(MARK_START)) return compiled;
    const at = FIRST_TOKEN.exec(compiled)?.[0].length ?? -1;
    const mark = at >= 0 ? MARK.exec(compiled.slice(at, at + 64)) : null;
    const source = mark?.index === 0 ? this.sources.get(mark[1]!) : undefined;
    if (mark && source !== undefined) return source.slice(Number(mark[2]), Number(mark[3]));
    return compiled.replace(EVERY_MARK, "");
  }

  /** The notebook realm's Function.prototype.toString gives the texts as the cells wrote them. */
  install(realmFunction: FunctionConstructor): void {
    const prototype = realmFunction.prototype;
    const native = prototype.toString;
    const texts = this;
    const toString = function toString(this: unknown): string {
      // Looks native itself, as the function it replaces did.
      if (this === toString) return "function toString() { [native code] }";
      // Throws for a `this` that is no function, in the native words.
      return texts.text(Reflect.apply(native, this, []) as string);
    };
    // The notebook's own function, as the one it replaces: `toString.toString()` and `instanceof Function`.
    Object.setPrototypeOf(toString, prototype);
    Object.defineProperty(prototype, "toString", { value: toString, writable: true, configurable: true, enumerable: false });
  }
}
