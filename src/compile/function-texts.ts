// What `f.toString()` gives for each function a cell defines (runtime/function-sources.ts reads it):
// the function as the cell wrote it, with its types taken out, as V8 gives a script's own text and
// as Node's own TypeScript support leaves it runnable (a worker's `eval`, a browser's
// `page.evaluate(fn)` run that text). V8 itself only has the compiled cell: swc's reformatted
// JavaScript, a recursive function declaration's name dropped and the interrupt checks woven into
// every async function (transform.ts).
//
// Types come out where that is only a matter of removing text: annotations, type parameters and
// arguments, `as`/`satisfies`/`!`, a `this` parameter, `implements`, access modifiers, declared and
// abstract members, overloads, interfaces and type aliases. What TypeScript turns into code of its
// own (a parameter property, an enum or namespace inside the function), or anything the result
// does not parse as JavaScript, gives swc's JavaScript of the function instead.

import type * as Swc from "@swc/core";
import { createHash } from "node:crypto";
import type { Rewrite } from "./rewrite.js";
import { lineStarts, type OffsetMap } from "./sourcemap.js";
import { eachNode, parseWithOffsets, type SwcNode } from "./swc.js";
import { FIRST_TOKEN, functionSourceMark } from "../runtime/function-sources.js";
import type { FunctionTexts } from "../runtime/protocol.js";

type Node = SwcNode & { span: Swc.Span };

/**
 * The key by which a cell's texts are known to the marks in its compiled code (12 hex digits, as
 * function-sources.ts reads them). Made here, in the kernel: the runtime only reads keys, and
 * node:crypto would cost every runtime about a megabyte (ids.ts loads it on first use only).
 */
export function sourceKey(source: string): string {
  return createHash("sha1").update(source).digest("hex").slice(0, 12);
}
interface Range {
  start: number;
  end: number;
}

/** Nodes whose text V8 keeps for `toString()`: functions, methods, accessors, classes (a constructor's is its class's). */
const FUNCTION_TEXTS = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ClassDeclaration",
  "ClassExpression",
  "ClassMethod",
  "PrivateMethod",
  "MethodProperty",
  "GetterProperty",
  "SetterProperty",
]);
/** Members whose node starts at modifiers (`public static`) or decorators before the text V8 keeps. */
const CLASS_MEMBERS = new Set(["ClassMethod", "PrivateMethod"]);
const OBJECT_MEMBERS = new Set(["MethodProperty", "GetterProperty", "SetterProperty"]);
const isMember = (type: string | undefined): boolean => CLASS_MEMBERS.has(type ?? "") || OBJECT_MEMBERS.has(type ?? "");
/** Type syntax removed whole. */
const TYPE_ONLY = new Set(["TsTypeAnnotation", "TsTypeParameterDeclaration", "TsTypeParameterInstantiation", "TsInterfaceDeclaration", "TsTypeAliasDeclaration", "TsIndexSignature"]);
/** Expressions whose type part follows the expression. */
const TYPE_AFTER = new Set(["TsAsExpression", "TsSatisfiesExpression", "TsConstAssertion", "TsNonNullExpression"]);
/** TypeScript that makes code of its own: a function holding it shows swc's JavaScript. */
const MAKES_CODE = new Set(["TsParameterProperty", "TsEnumDeclaration", "TsModuleDeclaration", "TsImportEqualsDeclaration", "TsExportAssignment"]);
/** Modifiers of a class member that only TypeScript has. */
const TYPE_MODIFIERS = /\b(?:public|private|protected|readonly|override|abstract)\b\s*/g;

/** A function's text in the compiled JavaScript. */
interface CompiledFunction {
  start: number;
  end: number;
  token: string;
  keyStart?: number;
  async: boolean;
  kind: "class member" | "object member" | "other";
  family: string;
}

/** A function's place in the cell's source. */
interface WrittenFunction {
  /** Where V8's text would start; for a member, the node's start (at its modifiers). */
  start: number;
  /** The node's start: a decorated class's is at its decorators, where swc maps its `class` to. */
  nodeStart: number;
  end: number;
  keyStart?: number;
  family: string;
}

/** Which functions may be the same one in the source and in swc's JavaScript. */
function familyOf(type: string | undefined): string {
  return type === "ArrowFunctionExpression" ? "arrow" : type === "ClassDeclaration" || type === "ClassExpression" ? "class" : isMember(type) ? "member" : "function";
}

/** The cell's source as parsed for function texts: where its functions are, and what is TypeScript's. */
class WrittenSource {
  readonly functions: WrittenFunction[] = [];
  /** Text to remove, sorted and merged. */
  readonly removals: Range[] = [];
  /** Places of TypeScript that makes code. */
  readonly makesCode: number[] = [];

  constructor(readonly source: string, body: Swc.ModuleItem[], at: (pos: number) => number) {
    const removals: Range[] = [];
    const remove = (start: number, end: number) => end > start && removals.push({ start, end });
    eachNode<Node>(body, (n) => {
      const type = n.type ?? "";
      if (!n.span) return true;
      const start = at(n.span.start);
      const end = at(n.span.end);
      if (MAKES_CODE.has(type)) this.makesCode.push(start);
      if (TYPE_ONLY.has(type)) {
        remove(start, end);
        return false;
      }
      if (TYPE_AFTER.has(type)) {
        remove(at((n.expression as Node).span.end), end);
      } else if (type === "TsTypeAssertion") {
        remove(start, at((n.expression as Node).span.start));
      } else if (type === "TsThisParameter") {
        // With the comma after it: `function f(this: Window, a)`.
        remove(start, end + (/^\s*,\s*/.exec(source.slice(end))?.[0].length ?? 0));
        return false;
      } else if (type === "Identifier" && n.optional === true) {
        // An arrow's parameter spans its `?` and annotation (`label?: string`); a method's, its name only.
        const nameEnd = start + String(n.value).length;
        const mark = /^\s*\?/.exec(source.slice(nameEnd, nameEnd + 64));
        if (mark) remove(nameEnd + mark[0].length - 1, nameEnd + mark[0].length);
      } else if (type === "FunctionDeclaration" && (n.body === null || n.declare === true)) {
        remove(start, end); // an overload's signature
        return false;
      } else if ((type === "VariableDeclaration" || type === "ClassDeclaration") && n.declare === true) {
        remove(start, end);
        return false;
      } else if ((type === "ClassProperty" || type === "PrivateProperty" || CLASS_MEMBERS.has(type) || type === "Constructor") && !this.member(n, start, end, at, remove)) {
        return false;
      }
      if (type === "ClassDeclaration" || type === "ClassExpression") this.implementsClause(n, at, remove);
      if (FUNCTION_TEXTS.has(type)) this.functions.push(this.placeOf(n, start, end, at));
      return true;
    });
    removals.sort((a, b) => a.start - b.start || b.end - a.end);
    for (const r of removals) {
      const last = this.removals[this.removals.length - 1];
      if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
      else this.removals.push({ ...r });
    }
  }

  private placeOf(n: Node, start: number, end: number, at: (pos: number) => number): WrittenFunction {
    const key = isMember(n.type) ? (n.key as Node | undefined)?.span : undefined;
    const family = familyOf(n.type);
    if (key) return { start, nodeStart: start, end, keyStart: at(key.start), family };
    let textStart = start;
    if (n.type === "ClassDeclaration" || n.type === "ClassExpression") {
      // V8's text of a class starts at `class`, after its decorators and `abstract`.
      const decorators = n.decorators as Node[] | undefined;
      const after = decorators && decorators.length > 0 ? at(decorators[decorators.length - 1]!.span.end) : start;
      const keyword = this.source.slice(after, end).search(/\bclass\b/);
      if (keyword >= 0) textStart = after + keyword;
    }
    return { start: textStart, nodeStart: start, end, family };
  }

  /** A class member: declared, abstract and signature-only members go whole; TypeScript's modifiers, `?` and `!` go. Whether any of it stays. */
  private member(n: Node, start: number, end: number, at: (pos: number) => number, remove: (start: number, end: number) => void): boolean {
    const fn = n.function as { body?: unknown } | undefined;
    if (n.declare === true || n.isAbstract === true || (fn !== undefined && !fn.body) || (n.type === "Constructor" && !n.body)) {
      remove(start, end);
      return false;
    }
    const key = (n.key as Node | undefined)?.span;
    if (!key) return true;
    const keyStart = at(key.start);
    // The modifiers, after any decorators.
    const decorators = n.decorators as Node[] | undefined;
    const from = decorators && decorators.length > 0 ? at(decorators[decorators.length - 1]!.span.end) : start;
    const modifiers = this.source.slice(from, keyStart);
    for (const word of modifiers.matchAll(TYPE_MODIFIERS)) remove(from + word.index, from + word.index + word[0].length);
    if (n.isOptional === true || n.definite === true) {
      const keyEnd = at(key.end);
      const mark = /^\s*[?!]/.exec(this.source.slice(keyEnd));
      if (mark) remove(keyEnd + mark[0].length - 1, keyEnd + mark[0].length);
    }
    return true;
  }

  /** `implements I, J<T>`, with the space before it. */
  private implementsClause(n: Node, at: (pos: number) => number, remove: (start: number, end: number) => void): void {
    const clauses = n.implements as Node[] | undefined;
    if (!clauses || clauses.length === 0) return;
    const first = at(clauses[0]!.span.start);
    const keyword = this.source.lastIndexOf("implements", first);
    if (keyword < 0) return;
    const space = /\s*$/.exec(this.source.slice(0, keyword))![0].length;
    remove(keyword - space, at(clauses[clauses.length - 1]!.span.end));
  }

  /**
   * Functions whose text without types parsed as JavaScript: a function inside one needs no parse of
   * its own (what is left of TypeScript in it would be left in them). Outer functions come first.
   */
  private readonly parsed: Range[] = [];

  /** [start, end) of the source without its types; undefined when that would not be the function's JavaScript. */
  withoutTypes(start: number, end: number, kind: CompiledFunction["kind"]): string | undefined {
    if (this.makesCode.some((p) => p >= start && p < end)) return undefined;
    let text = "";
    let from = start;
    for (const r of this.removals) {
      if (r.end <= start || r.start >= end) continue;
      text += this.source.slice(from, Math.max(from, r.start));
      from = Math.max(from, r.end);
    }
    text += this.source.slice(from, end);
    if (this.parsed.some((r) => r.start <= start && end <= r.end)) return text;
    // Parsed as JavaScript where such a function may stand.
    const standing = kind === "class member" ? `(class { ${text}\n})` : kind === "object member" ? `({ ${text}\n})` : `(${text}\n)`;
    try {
      parseWithOffsets(standing, "ecmascript");
    } catch {
      return undefined;
    }
    this.parsed.push({ start, end });
    return text;
  }
}

/**
 * Where the compiled `offset` is in the source, through swc's map: exact when a segment starts
 * there, else that far past the segment before it on its line (swc maps `static` of
 * `static async m()`, not `async`; the text between is the source's).
 */
function sourceOffset(map: OffsetMap, offset: number, sourceLineStarts: readonly number[]): number | undefined {
  const segment = map.segments[map.firstAtOrAfter(offset + 1) - 1];
  const original = map.lookup(offset);
  if (segment === undefined || original === undefined) return undefined;
  const lineStart = sourceLineStarts[original[1]];
  return lineStart === undefined ? undefined : lineStart + original[2] + (offset - segment.at);
}

/**
 * Marks each function of the compiled cell (`code`, before the transform's edits, which `edit`
 * holds) with the number of its text: the text as the cell wrote it, when its first token maps
 * to the start of a function of the source of its kind (or with that token), or its key to a
 * member's key with the same words before it (`async`, `get`, `*`); swc's
 * JavaScript of it when it is an async function the source has no place for (its interrupt checks
 * would show). The texts, by number.
 */
export function markFunctionTexts(edit: Rewrite, code: string, body: Swc.ModuleItem[], at: (pos: number) => number, map: OffsetMap, source: string): FunctionTexts | undefined {
  const compiled: CompiledFunction[] = [];
  eachNode<Node>(body, (n) => {
    if (!FUNCTION_TEXTS.has(n.type ?? "") || !n.span) return true;
    let start = at(n.span.start);
    // V8's text of a static method starts after `static` (a method named `static` is not static).
    if (n.isStatic === true) start += /^static\s*/.exec(code.slice(start, start + 40))?.[0].length ?? 0;
    const token = FIRST_TOKEN.exec(code.slice(start, start + 256))?.[0];
    const key = isMember(n.type) ? (n.key as Node | undefined)?.span : undefined;
    const async = n.async === true || (n.function as { async?: boolean } | undefined)?.async === true;
    const kind = CLASS_MEMBERS.has(n.type!) ? "class member" : OBJECT_MEMBERS.has(n.type!) ? "object member" : "other";
    if (token !== undefined) compiled.push({ start, end: at(n.span.end), token, keyStart: key && at(key.start), async, kind, family: familyOf(n.type) });
    return true;
  });
  if (compiled.length === 0) return undefined;
  let written: WrittenSource;
  try {
    const parsed = parseWithOffsets(source, "typescript");
    written = new WrittenSource(source, parsed.body, parsed.at);
  } catch {
    return undefined;
  }
  const starts = lineStarts(source);
  const key = sourceKey(source);
  const texts: string[] = [];
  const marks: number[] = [];
  const words = (text: string): string => text.replace(/\s+/g, "");
  for (const fn of compiled) {
    let place: number | undefined;
    let match: WrittenFunction | undefined;
    if (fn.keyStart === undefined) {
      const mapped = sourceOffset(map, fn.start, starts);
      match = written.functions.find((f) => f.keyStart === undefined && (f.start === mapped || f.nodeStart === mapped));
      place = match?.start;
      // The same kind of function, or the same first token (swc writes `x => x` as `(x)=>x`).
      if (place !== undefined && match!.family !== fn.family && !source.startsWith(fn.token, place)) place = undefined;
    } else {
      const sourceKeyStart = sourceOffset(map, fn.keyStart, starts);
      match = written.functions.find((f) => f.keyStart !== undefined && f.keyStart === sourceKeyStart);
      if (match !== undefined && sourceKeyStart !== undefined) {
        const before = words(code.slice(fn.start, fn.keyStart));
        for (let p = sourceKeyStart; p >= match.start && place === undefined; p--) if (words(source.slice(p, sourceKeyStart)) === before) place = p;
      }
    }
    const placed = match !== undefined && place !== undefined;
    const asWritten = placed ? written.withoutTypes(place!, match!.end, fn.kind) : undefined;
    // swc's JavaScript: for a function whose types do not simply come out, and an async one the source has no place for.
    const text = asWritten ?? (placed || fn.async ? code.slice(fn.start, fn.end) : undefined);
    if (text === undefined) continue;
    marks.push(fn.start + fn.token.length);
    texts.push(text);
  }
  // Written once all are known: a cell whose texts could not be made runs as it would without them.
  marks.forEach((at, index) => edit.insert(at, functionSourceMark(key, index)));
  return texts.length > 0 ? { key, texts } : undefined;
}
