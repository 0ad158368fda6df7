// What a cell declares at top level, and how a cell with `import`/`export` is
// rewritten into a global script for the checker. Every accepted cell is a
// script file in one virtual project, so its declarations are globals the
// later cells see; a module's would be private to it.
//
// The rewrite keeps every offset of the cell's own text: import statements and
// `export` keywords are blanked (spaces, newlines kept) and the declarations
// that stand in for the imports are appended after the cell's text, so a
// diagnostic inside the cell maps back without a source map.

import {
  SyntaxKind,
  type BindingName,
  type ImportDeclaration,
  type ImportEqualsDeclaration,
  type Node,
  type SourceFile,
  type Statement,
} from "typescript/unstable/ast";
import {
  isClassDeclaration,
  isEnumDeclaration,
  isFunctionDeclaration,
  isImportEqualsDeclaration,
  isInterfaceDeclaration,
  isModuleDeclaration,
  isTypeAliasDeclaration,
  isVariableStatement,
} from "typescript/unstable/ast/is";

/** A name a cell declares at top level: the identifier's UTF-16 range in the checked text. */
export interface DeclaredName {
  name: string;
  /** What it is, as Jupyter's completion metadata names it: "variable", "function", "class", … */
  kind: string;
  start: number;
  end: number;
}

/** One appended stand-in declaration and the place in the cell it stands for. */
export interface AppendedDeclaration {
  /** Range of the stand-in in the rewritten text. */
  start: number;
  end: number;
  /** Offset in the cell's own text (the import specifier or statement) to report problems at. */
  origin: number;
  /** Stand-ins of one imported name share a group: a problem is reported only when all of them fail. */
  group: number;
  /** Whether a failure of this stand-in alone is reported (the module cannot be found). */
  reportAlone: boolean;
}

export interface RewrittenCell {
  text: string;
  /** Length of the cell's own text; everything after it is appended stand-ins. */
  ownLength: number;
  appended: AppendedDeclaration[];
}

/** Rewrites imports and exports so that the cell is a global script; undefined when it already is one. */
export function rewriteModuleSyntax(sourceFile: SourceFile, text: string): RewrittenCell | undefined {
  const blanks: [number, number][] = [];
  const standIns: { code: string; origin: number; group: number; reportAlone: boolean }[] = [];
  let group = 0;
  const moduleType = (specifier: string): string => `import(${JSON.stringify(specifier)})`;

  for (const statement of sourceFile.statements) {
    const start = statement.getStart(sourceFile);
    switch (statement.kind) {
      case SyntaxKind.ImportDeclaration: {
        blanks.push([start, statement.end]);
        const declaration = statement as ImportDeclaration;
        const specifier = stringValue(declaration.moduleSpecifier);
        const clause = declaration.importClause;
        if (specifier === undefined || clause === undefined) break;
        const typeOnly = clause.phaseModifier === SyntaxKind.TypeKeyword;
        const module = moduleType(specifier);
        if (clause.name !== undefined) {
          const name = clause.name.text;
          const origin = clause.name.getStart(sourceFile);
          const valueType = `typeof ${module} extends { default: infer D } ? D : typeof ${module}`;
          standIns.push({ code: typeOnly ? `type ${name} = ${valueType};` : `declare const ${name}: ${valueType};`, origin, group: group++, reportAlone: true });
        }
        const bindings = clause.namedBindings;
        if (bindings?.kind === SyntaxKind.NamespaceImport) {
          const origin = bindings.name.getStart(sourceFile);
          standIns.push({ code: `declare const ${bindings.name.text}: typeof ${module};`, origin, group: group++, reportAlone: true });
        } else if (bindings?.kind === SyntaxKind.NamedImports) {
          for (const element of bindings.elements) {
            const local = element.name.text;
            const imported = element.propertyName === undefined ? local : (stringValue(element.propertyName) ?? local);
            const origin = element.getStart(sourceFile);
            const g = group++;
            const member = JSON.stringify(imported);
            if (!typeOnly && !element.isTypeOnly) {
              standIns.push({ code: `declare const ${local}: typeof ${module}[${member}];`, origin, group: g, reportAlone: true });
            }
            // The type meaning of the name (a class, interface or type alias): fails harmlessly for values.
            standIns.push({ code: `type ${local} = ${module}.${imported};`, origin, group: g, reportAlone: typeOnly || element.isTypeOnly });
          }
        }
        break;
      }
      case SyntaxKind.ImportEqualsDeclaration: {
        const declaration = statement as ImportEqualsDeclaration;
        const reference = declaration.moduleReference;
        if (reference.kind !== SyntaxKind.ExternalModuleReference) break;
        const specifier = stringValue(reference.expression);
        blanks.push([start, statement.end]);
        if (specifier === undefined) break;
        standIns.push({ code: `declare const ${declaration.name.text}: typeof ${moduleType(specifier)};`, origin: declaration.name.getStart(sourceFile), group: group++, reportAlone: true });
        break;
      }
      case SyntaxKind.ExportDeclaration:
      case SyntaxKind.NamespaceExportDeclaration:
        blanks.push([start, statement.end]);
        break;
      case SyntaxKind.ExportAssignment: {
        // `export default expr` runs `expr`; `export = expr` likewise.
        const expression = (statement as Statement & { expression: Node }).expression;
        blanks.push([start, expression.getStart(sourceFile)]);
        break;
      }
      default: {
        const modifiers = (statement as Statement & { modifiers?: readonly Node[] }).modifiers;
        for (const modifier of modifiers ?? []) {
          if (modifier.kind === SyntaxKind.ExportKeyword || modifier.kind === SyntaxKind.DefaultKeyword) {
            blanks.push([modifier.getStart(sourceFile), modifier.end]);
          }
        }
      }
    }
  }
  if (blanks.length === 0 && standIns.length === 0) return undefined;

  let rewritten = text;
  for (const [from, to] of blanks) {
    rewritten = rewritten.slice(0, from) + rewritten.slice(from, to).replace(/[^\r\n]/g, " ") + rewritten.slice(to);
  }
  const appended: AppendedDeclaration[] = [];
  rewritten += "\n;";
  for (const standIn of standIns) {
    rewritten += "\n";
    appended.push({ start: rewritten.length, end: rewritten.length + standIn.code.length, origin: standIn.origin, group: standIn.group, reportAlone: standIn.reportAlone });
    rewritten += standIn.code;
  }
  return { text: rewritten, ownLength: text.length, appended };
}

/**
 * The top-level names a (script) cell declares. `global` is true when the cell
 * also has declarations without a replaceable name (`declare global`,
 * `declare module "m"`), which keep its file alive.
 */
export function collectDeclarations(sourceFile: SourceFile): { names: DeclaredName[]; unnamed: boolean } {
  const names: DeclaredName[] = [];
  let unnamed = false;
  const add = (node: Node & { text: string }, kind: string): void => {
    names.push({ name: node.text, kind, start: node.getStart(sourceFile), end: node.end });
  };
  const addBinding = (name: BindingName): void => {
    if (name.kind === SyntaxKind.Identifier) {
      add(name, "variable");
      return;
    }
    for (const element of name.elements) {
      if (element.kind === SyntaxKind.BindingElement && element.name !== undefined) addBinding(element.name);
    }
  };
  const kindOf: Partial<Record<SyntaxKind, string>> = {
    [SyntaxKind.FunctionDeclaration]: "function",
    [SyntaxKind.ClassDeclaration]: "class",
    [SyntaxKind.InterfaceDeclaration]: "interface",
    [SyntaxKind.TypeAliasDeclaration]: "type",
    [SyntaxKind.EnumDeclaration]: "enum",
    [SyntaxKind.ImportEqualsDeclaration]: "module",
    [SyntaxKind.ModuleDeclaration]: "module",
  };
  const kind = (statement: Statement): string => kindOf[statement.kind] ?? "variable";
  for (const statement of sourceFile.statements) {
    if (isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) addBinding(declaration.name);
    } else if (isFunctionDeclaration(statement) || isClassDeclaration(statement)) {
      if (statement.name !== undefined) add(statement.name, kind(statement));
    } else if (isInterfaceDeclaration(statement) || isTypeAliasDeclaration(statement) || isEnumDeclaration(statement) || isImportEqualsDeclaration(statement)) {
      add(statement.name, kind(statement));
    } else if (isModuleDeclaration(statement)) {
      if (statement.name.kind === SyntaxKind.Identifier && statement.name.text !== "global") add(statement.name, kind(statement));
      else unnamed = true;
    }
  }
  return { names, unnamed };
}

function stringValue(node: Node): string | undefined {
  if (node.kind === SyntaxKind.StringLiteral || node.kind === SyntaxKind.Identifier || node.kind === SyntaxKind.NoSubstitutionTemplateLiteral) {
    return (node as Node & { text: string }).text;
  }
  return undefined;
}
