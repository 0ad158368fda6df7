// A namespace opened more than once in one cell, as tsc runs it. In
//
//   namespace Shapes { export const unit = 1; }
//   namespace Shapes { export const double = unit * 2; }
//
// the second block's `unit` is the first block's export, which tsc writes as
// `Shapes.unit`. swc (1.16) leaves it `unit` (its issue 11514), and the cell
// the checker accepted ends in "ReferenceError: unit is not defined". Such a
// name is one swc could not resolve, so its hygiene renamed every binding of
// that name in the cell (a local `unit` becomes `unit1`): an identifier of the
// name left in a block that binds it nowhere is the export, and gets the
// namespace's parameter in front of it, as tsc's output has it.
//
// A namespace opened in two cells is not merged at all (a later cell's
// declaration replaces an earlier one's, and the checker says so): this is
// only about one cell's blocks.

import type * as Swc from "@swc/core";
import { bindingIdentifiers, eachNode, type SwcNode } from "./swc.js";

/** One `(function (P) { … })(N || (N = {}))` of swc's output: the parameter, the body, and the names it exports (`P.x = …`). */
interface NamespaceBlock {
  name: string;
  param: string;
  body: Swc.Statement[];
  exported: Set<string>;
}

function unparenthesized(expression: Swc.Expression | undefined): Swc.Expression | undefined {
  let e = expression;
  while (e?.type === "ParenthesisExpression") e = e.expression;
  return e;
}

/** The block when `statement` is swc's code for a `namespace N { … }`: `(function (N) { … })(N || (N = {}))`. */
function namespaceBlock(statement: Swc.ModuleItem): NamespaceBlock | undefined {
  if (statement.type !== "ExpressionStatement") return undefined;
  const call = unparenthesized(statement.expression);
  if (call?.type !== "CallExpression" || call.arguments.length !== 1 || call.callee.type === "Super" || call.callee.type === "Import") return undefined;
  const callee = unparenthesized(call.callee);
  const argument = unparenthesized(call.arguments[0]!.expression);
  if (callee?.type !== "FunctionExpression" || callee.params.length !== 1 || callee.body == null) return undefined;
  const pattern = callee.params[0]!.pat;
  if (pattern.type !== "Identifier") return undefined;
  if (argument?.type !== "BinaryExpression" || argument.operator !== "||" || argument.left.type !== "Identifier") return undefined;
  const assigned = unparenthesized(argument.right);
  // `N || (N = {})`: a namespace (an enum's is `E || {}`, and swc puts its members' values in place).
  if (assigned?.type !== "AssignmentExpression" || unparenthesized(assigned.right)?.type !== "ObjectExpression") return undefined;
  const exported = new Set<string>();
  for (const s of callee.body.stmts) {
    if (s.type !== "ExpressionStatement" || s.expression.type !== "AssignmentExpression" || s.expression.operator !== "=") continue;
    const left = s.expression.left;
    if (left.type === "MemberExpression" && left.object.type === "Identifier" && left.object.value === pattern.value && left.property.type === "Identifier") {
      exported.add(left.property.value);
    }
  }
  return { name: argument.left.value, param: pattern.value, body: callee.body.stmts, exported };
}

/** Every name a binding anywhere in `node` makes: variables, functions, classes, parameters, caught errors. */
function boundNames(node: unknown): Set<string> {
  const names = new Set<string>();
  const add = (identifier: Swc.Identifier | undefined | null) => {
    if (identifier) names.add(identifier.value);
  };
  eachNode(node, (n: SwcNode) => {
    switch (n.type) {
      case "VariableDeclarator":
        for (const id of bindingIdentifiers((n as unknown as Swc.VariableDeclarator).id)) add(id);
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ClassDeclaration":
      case "ClassExpression":
        add((n as unknown as { identifier?: Swc.Identifier | null }).identifier);
        break;
      case "Parameter":
        for (const id of bindingIdentifiers((n as unknown as Swc.Param).pat)) add(id);
        break;
      case "ArrowFunctionExpression":
        for (const param of (n as unknown as Swc.ArrowFunctionExpression).params) for (const id of bindingIdentifiers(param)) add(id);
        break;
      case "CatchClause":
        for (const id of bindingIdentifiers((n as unknown as Swc.CatchClause).param)) add(id);
        break;
      default:
        break;
    }
    return true;
  });
  return names;
}

/** Property names that are no reference: a member's (`a.x`), a key's (`{ x: 1 }`, a method's, a class member's), unless computed. */
const KEYED = new Set(["KeyValueProperty", "MethodProperty", "GetterProperty", "SetterProperty", "ClassMethod", "ClassProperty", "KeyValuePatternProperty", "TsParameterProperty"]);

/**
 * `visit` for each identifier of `node` that reads or writes a variable; `shorthand` for `{ x }`
 * in an object literal or an assignment's pattern, whose name is also the property's.
 */
function eachReference(node: unknown, visit: (identifier: Swc.Identifier, shorthand: boolean) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) eachReference(item, visit);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const n = node as SwcNode;
  switch (n.type) {
    case "Identifier":
      visit(n as unknown as Swc.Identifier, false);
      return;
    case "MemberExpression":
    case "SuperPropExpression": {
      const member = n as unknown as { object?: unknown; property: { type: string } };
      eachReference(member.object, visit);
      if (member.property.type === "Computed") eachReference(member.property, visit);
      return;
    }
    case "ObjectExpression":
      for (const property of (n as unknown as Swc.ObjectExpression).properties) {
        if (property.type === "Identifier") visit(property, true);
        else eachReference(property, visit);
      }
      return;
    case "AssignmentPatternProperty": {
      const property = n as unknown as Swc.AssignmentPatternProperty;
      visit(property.key, true);
      eachReference(property.value, visit);
      return;
    }
    case "LabeledStatement":
      eachReference((n as unknown as Swc.LabeledStatement).body, visit);
      return;
    case "BreakStatement":
    case "ContinueStatement":
    case "MetaProperty":
    case "PrivateName":
      return;
    default:
      break;
  }
  for (const [field, child] of Object.entries(n)) {
    if (field === "span" || field === "ctxt") continue;
    if (field === "key" && n.type !== undefined && KEYED.has(n.type) && (child as { type?: string } | null)?.type !== "Computed") continue;
    eachReference(child, visit);
  }
}

/**
 * What to insert into swc's output (`body`, offsets through `at`) so that each block of a namespace
 * opened more than once reads the other blocks' exports through the namespace: `unit` becomes
 * `Shapes.unit`, `{ unit }` becomes `{ unit: Shapes.unit }`.
 */
export function reopenedNamespaceUses(body: Swc.ModuleItem[], at: (pos: number) => number): { at: number; text: string }[] {
  const byName = new Map<string, NamespaceBlock[]>();
  for (const statement of body) {
    const block = namespaceBlock(statement);
    if (block !== undefined) byName.set(block.name, [...(byName.get(block.name) ?? []), block]);
  }
  const inserts: { at: number; text: string }[] = [];
  for (const blocks of byName.values()) {
    if (blocks.length < 2) continue;
    for (const block of blocks) {
      const bound = boundNames(block.body);
      const others = new Set(blocks.flatMap((b) => (b === block ? [] : [...b.exported])).filter((name) => !bound.has(name) && name !== block.param));
      if (others.size === 0) continue;
      eachReference(block.body, (identifier, shorthand) => {
        if (!others.has(identifier.value)) return;
        inserts.push({ at: at(identifier.span.start), text: `${shorthand ? `${identifier.value}: ` : ""}${block.param}.` });
      });
    }
  }
  return inserts;
}
