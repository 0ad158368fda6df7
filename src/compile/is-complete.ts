// is_complete for the console: is a cell finished, waiting for more lines, or
// broken beyond what more lines could fix? Decided from TypeScript's own
// scanner (pure JavaScript in `typescript/unstable/ast/scanner`, so it runs
// synchronously in the kernel process without the checker), and for a cell
// that looks finished, from whether swc parses it as the transform will.

import { LanguageVariant, SyntaxKind } from "typescript/unstable/ast";
import { createScanner } from "typescript/unstable/ast/scanner";
import { helpLines, helpTarget } from "./help-syntax.js";
import { parseProblem } from "./swc.js";

export interface IsCompleteResult {
  status: "complete" | "incomplete" | "invalid";
  indent?: string;
}

type Opener = "(" | "[" | "{" | "${";

const CLOSER_OF: Partial<Record<SyntaxKind, Opener>> = {
  [SyntaxKind.CloseParenToken]: "(",
  [SyntaxKind.CloseBracketToken]: "[",
};

const OPERAND_KEYWORDS = new Set<SyntaxKind>([
  SyntaxKind.AwaitKeyword,
  SyntaxKind.ThrowKeyword,
  SyntaxKind.YieldKeyword,
  SyntaxKind.NewKeyword,
  SyntaxKind.TypeOfKeyword,
  SyntaxKind.VoidKeyword,
  SyntaxKind.DeleteKeyword,
]);

/** Tokens after which an expression must continue: binary operators, `=>`, `,`, `.`, `?`, `:`, and keywords an operand follows. */
function expectsContinuation(kind: SyntaxKind): boolean {
  // A trailing `!` ends an operand (`el!`, TypeScript's non-null assertion).
  if (kind === SyntaxKind.ExclamationToken) return false;
  if (kind === SyntaxKind.EqualsGreaterThanToken || kind === SyntaxKind.CommaToken || kind === SyntaxKind.DotToken) return true;
  if (kind === SyntaxKind.QuestionToken || kind === SyntaxKind.ColonToken || kind === SyntaxKind.QuestionDotToken) return true;
  // Keywords an operand must follow: `const z = await`, `throw`, `yield`, `new`, `typeof`, `void`, `delete`.
  if (OPERAND_KEYWORDS.has(kind)) return true;
  // `++`/`--` end an operand; a trailing `>` is far more often a generic's end (`Array<number>`) than a comparison.
  if (kind === SyntaxKind.PlusPlusToken || kind === SyntaxKind.MinusMinusToken || kind === SyntaxKind.GreaterThanToken) return false;
  return kind >= SyntaxKind.FirstBinaryOperator && kind <= SyntaxKind.LastBinaryOperator;
}

/** Tokens after which a `/` divides rather than starts a regular expression. */
function endsOperand(kind: SyntaxKind | undefined): boolean {
  if (kind === undefined) return false;
  return (
    kind === SyntaxKind.Identifier ||
    kind === SyntaxKind.NumericLiteral ||
    kind === SyntaxKind.BigIntLiteral ||
    kind === SyntaxKind.StringLiteral ||
    kind === SyntaxKind.RegularExpressionLiteral ||
    kind === SyntaxKind.NoSubstitutionTemplateLiteral ||
    kind === SyntaxKind.TemplateTail ||
    kind === SyntaxKind.CloseParenToken ||
    kind === SyntaxKind.CloseBracketToken ||
    kind === SyntaxKind.CloseBraceToken ||
    kind === SyntaxKind.ThisKeyword ||
    kind === SyntaxKind.SuperKeyword ||
    kind === SyntaxKind.TrueKeyword ||
    kind === SyntaxKind.FalseKeyword ||
    kind === SyntaxKind.NullKeyword ||
    kind === SyntaxKind.PlusPlusToken ||
    kind === SyntaxKind.MinusMinusToken
  );
}

export function isComplete(source: string): IsCompleteResult {
  // `obj?`, `obj??`, `?obj` ask for help: the kernel pages the documentation, as IPython does.
  const help = helpTarget(source);
  if (help !== undefined && scanCell(help).status === "complete") return { status: "complete" };
  // Code, then `x?` on a line of its own: the kernel runs the code and pages the help (execute.ts), as IPython does.
  const lines = helpLines(source);
  if (lines?.last === true && scanCell(helpTarget(lines.request) ?? "").status === "complete" && scanCell(lines.code).status === "complete") {
    return { status: "complete" };
  }
  // A lone `?` or `??` names nothing to wait for: run it, and its error says so.
  if (/^\s*\?{1,2}\s*$/.test(source)) return { status: "invalid" };
  return scanCell(source);
}

function scanCell(source: string): IsCompleteResult {
  const scanner = createScanner(false, LanguageVariant.Standard, source);
  const open: Opener[] = [];
  let last: SyntaxKind | undefined;
  const incomplete = (): IsCompleteResult => ({ status: "incomplete", indent: "    ".repeat(open.length) });
  let previousEnd = -1;
  for (;;) {
    let kind = scanner.scan();
    if (kind === SyntaxKind.EndOfFile) break;
    // TypeScript 7's scanner does not advance past a lone `#` (a private name
    // without a name): it returns the same empty token forever. No progress, no cell.
    if (scanner.getTokenEnd() <= previousEnd) return { status: "invalid" };
    previousEnd = scanner.getTokenEnd();
    switch (kind) {
      case SyntaxKind.WhitespaceTrivia:
      case SyntaxKind.NewLineTrivia:
      case SyntaxKind.SingleLineCommentTrivia:
      case SyntaxKind.ConflictMarkerTrivia:
        continue;
      case SyntaxKind.MultiLineCommentTrivia:
        if (scanner.isUnterminated()) return incomplete();
        continue;
      case SyntaxKind.OpenParenToken:
        open.push("(");
        break;
      case SyntaxKind.OpenBracketToken:
        open.push("[");
        break;
      case SyntaxKind.OpenBraceToken:
        open.push("{");
        break;
      case SyntaxKind.CloseParenToken:
      case SyntaxKind.CloseBracketToken:
        if (open.pop() !== CLOSER_OF[kind]) return { status: "invalid" };
        break;
      case SyntaxKind.CloseBraceToken: {
        const top = open.pop();
        if (top === "${") {
          kind = scanner.reScanTemplateToken(false);
          if (scanner.isUnterminated()) return { status: "incomplete", indent: "" };
          if (kind === SyntaxKind.TemplateMiddle) open.push("${");
        } else if (top !== "{") {
          return { status: "invalid" };
        }
        break;
      }
      case SyntaxKind.TemplateHead:
        open.push("${");
        break;
      case SyntaxKind.NoSubstitutionTemplateLiteral:
        // Inside the template's text, an indent would become part of the string.
        if (scanner.isUnterminated()) return { status: "incomplete", indent: "" };
        break;
      case SyntaxKind.StringLiteral:
        // A backslash at the end of the line (an odd run of them: `\\` is a backslash) continues the
        // string on the next one; jupyter console asks before it adds the newline.
        if (scanner.isUnterminated()) return /(?<!\\)(?:\\\\)*\\\r?\n?$/.test(source) ? { status: "incomplete", indent: "" } : { status: "invalid" };
        break;
      case SyntaxKind.SlashToken:
      case SyntaxKind.SlashEqualsToken:
        if (!endsOperand(last)) {
          kind = scanner.reScanSlashToken();
          if (kind === SyntaxKind.RegularExpressionLiteral && scanner.isUnterminated()) return { status: "invalid" };
        }
        break;
      case SyntaxKind.GreaterThanToken:
        kind = scanner.reScanGreaterToken();
        break;
      default:
        break;
    }
    last = kind;
  }
  if (open.length > 0) return incomplete();
  if (last !== undefined && expectsContinuation(last)) return { status: "incomplete", indent: "    " };
  // A decorator on the last line (`@traced`, `@memo(10)`): the class or member it decorates follows.
  const lastLine = source.trimEnd().split("\n").at(-1) ?? "";
  if (/^\s*@[\p{ID_Start}$_][\p{ID_Continue}$.]*(\(.*\))?$/u.test(lastLine)) return { status: "incomplete", indent: "" };
  // Balanced and not waiting for an operand: complete if it parses; waiting for more if the parser
  // ran out of input (`if (x)`, `try {…}` before its `catch`, `class A extends`); else no line added
  // after mends it (`const = 1`).
  const problem = parseProblem(source);
  if (problem === undefined) return { status: "complete" };
  return problem === "end" ? { status: "incomplete", indent: "    " } : { status: "invalid" };
}
