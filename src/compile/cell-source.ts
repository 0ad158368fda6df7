// What a cell declares at top level, and how a cell with `import`/`export` is
// rewritten into a global script for the checker. Every accepted cell is a
// script file in one virtual project, so its declarations are globals the
// later cells see; a module's would be private to it.
//
// The cell is parsed with swc in the checker's thread (about 0.1 ms) rather
// than asking tsgo for its syntax tree (a round trip and the tree's nodes
// rebuilt in JavaScript, 0.5–1 ms), and is written to tsgo once, already
// rewritten.
//
// The rewrite keeps every offset of the cell's own text: import statements and
// `export` keywords are blanked (spaces, newlines kept) and the declarations
// that stand in for the imports are appended after the cell's text, so a
// diagnostic inside the cell maps back without a source map.

import { builtinModules, createRequire } from "node:module";
import type * as Swc from "@swc/core";
import { isGlobalName, GLOBAL_VALUE_NAMES } from "./global-names.js";
import { bindingIdentifiers, eachNode, importMetaStarts, nestedVars, parseWithOffsets, type SwcNode } from "./swc.js";

/** `// @ts-nocheck` as a cell's first line skips checking it (its declarations still count for later cells). */
export const NO_CHECK = /^\s*\/\/\s*@ts-nocheck\b/;

/**
 * What a name means, as TypeScript's declaration spaces tell: a value, a type, a namespace (bits of
 * a number). `const Status = {…}` and `type Status = …` are two declarations that do not replace
 * each other, in a program as at run time; a `class` is both a value and a type.
 */
export const MEANING = { value: 1, type: 2, namespace: 4, all: 7 } as const;

/** The meanings of each kind of declaration (DeclaredName.kind). */
const KIND_MEANINGS: Record<string, number> = {
  variable: MEANING.value,
  function: MEANING.value,
  class: MEANING.value | MEANING.type,
  interface: MEANING.type,
  type: MEANING.type,
  enum: MEANING.all,
  // A namespace is a value when it has values: taken as one, so a later `const` of its name replaces it.
  namespace: MEANING.value | MEANING.namespace,
  // An import (or `import x = …`) may bring any of them.
  module: MEANING.all,
};

/** The meanings a declaration of this kind gives its name. */
export function kindMeaning(kind: string): number {
  return KIND_MEANINGS[kind] ?? MEANING.all;
}

/** A name a cell declares at top level: the identifier's UTF-16 range in the checked text. */
export interface DeclaredName {
  name: string;
  /** What it is, as Jupyter's completion metadata names it: "variable", "function", "class", … */
  kind: string;
  /** MEANING's bits: which of the name's meanings the declaration gives. */
  meaning: number;
  start: number;
  end: number;
  /** `const { name } = o`: the name is the property's too, which renaming the binding must keep. */
  shorthand?: boolean;
  /** The identifier as the cell wrote it, where `name` is not (a member of a module augmentation: AUGMENTED_NAME). */
  local?: string;
  /** The alias an import's stand-in declares (ALIAS_MODULE): the module it imports from, as the cell wrote it. */
  importedFrom?: string;
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
  /**
   * The local name of `import { name }` (or of `import name = N.b`) whose value this stand-in declares.
   * When it alone of its group fails, the name is a type only (an interface, a type alias, a
   * type-only export), which tsc elides from the import and the runtime must not ask the module
   * for. A group of nothing but such a probe (`import name = N.b`'s) is never reported: the
   * alias's own errors are the cell's.
   */
  valueName?: string;
  /**
   * Codes this stand-in raises by its making, no failure of the import's: an alias beside the
   * constant of an import under a global's name conflicts with it (TS2440; TS2865 under
   * isolatedModules); the alias of a type-only import references an `import type` (TS1380).
   */
  expectedCodes?: readonly number[];
}

/** AppendedDeclaration.expectedCodes of an alias beside a constant of its name, and of a type-only import's alias. */
const BESIDE_CONSTANT_CODES = [2440, 2865];
const TYPE_ONLY_ALIAS_CODES = [1380];

/** A cell as the checker gets it. */
export interface CheckedText {
  /** The cell itself, or with its imports and exports rewritten. */
  text: string;
  appended: AppendedDeclaration[];
  names: DeclaredName[];
  /** Declarations without a replaceable name (`declare module "m"`), which keep its file alive. */
  unnamed: boolean;
  /** Text put into `text` that is not in the cell, at these offsets of `text` (ascending). */
  inserted: { at: number; length: number }[];
  /**
   * Where the cell uses a name a top-level declaration may own (not where it declares one: those
   * are `names`): every use in a type, and the uses of values outside functions. When a later
   * cell declares the name again, these keep meaning the declaration they meant when the cell
   * ran (cell-project.ts). Uses of values inside functions follow the newest declaration, as
   * the function itself does at run time.
   */
  references: NameReference[];
  /**
   * The modules a cell without imports or exports augments (`declare module "pkg" { … }`): one tsgo
   * cannot find ("Cannot find module") it declares instead, as a script's ambient module, once
   * cell-project.ts has added it to the modules cells declare.
   */
  scriptAugmentations?: string[];
  /**
   * Where the probes of the imports begin in `text`, the last of it (undefined: there are none).
   * They tell type-only names in the cell's own check; an accepted cell's file leaves them out,
   * where they would only cost every later check.
   */
  probesFrom?: number;
}

/** A use of a name in a cell's checked text. */
export interface NameReference {
  name: string;
  start: number;
  end: number;
  /** `{ name }` in an object literal or pattern: renaming it must keep the property's name. */
  shorthand: boolean;
  /** MEANING's bit of the use: a value (in code, or `typeof name` in a type), a type, a namespace (`name.T`). */
  meaning: number;
}

/** The offset in the cell's own source of offset `at` of its checked text (before the appended stand-ins). */
export function sourceOffset(checked: CheckedText, at: number): number {
  let offset = at;
  for (const insertion of checked.inserted) {
    if (insertion.at > at) break;
    offset -= Math.min(insertion.length, at - insertion.at);
  }
  return offset;
}

type Parsed = ReturnType<typeof parseWithOffsets>;

/**
 * The name of the ambient module that stands in for a namespace import of a package or built-in:
 * `declare module "ephemeron-import:node:path" { import * as m from "node:path"; global { export
 * import path = m; } }`. A `declare const path: typeof import("node:path")` would be a value only,
 * and `path.ParsedPath` in a type no namespace ("Cannot find namespace 'path'"); an alias of the
 * module has every meaning the import has, and a script may declare it: an ambient module may
 * add to the global scope. (A relative specifier goes through RELATIVE_MODULE.)
 */
const ALIAS_MODULE = "ephemeron-import:";
/** The local name of the module inside its stand-in: each `declare module` block has its own. */
const ALIAS_LOCAL = "__ephemeron_module";
/**
 * A default, namespace or `import x = require` import's stand-in goes through a second ambient
 * module that exports what it imports under the import's name: an alias (`import X = m.X`) names a
 * module's member, where `import X = d` of the default or module itself would need it to be a
 * namespace (a class or a function is not). Both places of the name in it are uses of the alias
 * (renamed with it when a later cell imports the name again: the merged module must not export it twice).
 */
const THROUGH_MODULE = "ephemeron-through:";

/**
 * A relative specifier as an ambient module may import it: TypeScript refuses relative and rooted
 * names there, so the project's tsconfig maps this prefix to its own folder, the notebook's
 * (cell-files.ts), where a cell's relative imports resolve from.
 */
export const RELATIVE_MODULE = "ephemeron-relative:";

/**
 * The ambient module a cell's module augmentation (`declare module "pkg" { … }`) is moved into. In
 * a script, which every cell is to the checker, `declare module "pkg"` declares a module of that
 * name in the package's place (under moduleResolution bundler it lost every export it did not
 * repeat, for the rest of the session); nested in an ambient module of a script, it is an
 * augmentation, as `global { … }` is one there. A cell that imports or exports is a module to tsc,
 * whose `declare module` augments; so is a cell without either, as a notebook's augmentation of a
 * package it imported in an earlier cell means to, unless tsgo finds no module to augment
 * (CheckedText.scriptAugmentations): then it declares one, as a script does.
 */
const AUGMENTATION_MODULE = "ephemeron-augmentation:";

/**
 * What a cell's ambient module (`declare module "untyped-pkg" { … }`, in a cell without imports
 * or exports) is called among the cell's names: a later declaration of the module replaces it, as
 * one of a `const` does. No identifier has the colon, so no variable or type is taken for it. The
 * name's place is the module's name inside the quotes, where a replaced one becomes a module
 * nobody imports.
 */
export const AMBIENT_MODULE_NAME = "module:";

/** What a member of a cell's module augmentation is called among the cell's names: `augmented:pkg:Opts`. */
const AUGMENTED_NAME = "augmented:";

/** The members a cell's augmentation (AUGMENTATION_MODULE, around the cell's `module "pkg" { … }`) declares. */
function augmentationMembers(declaration: Swc.TsModuleDeclaration, at: (pos: number) => number, text: string): DeclaredName[] {
  if (declaration.id.type !== "StringLiteral" || !declaration.id.value.startsWith(AUGMENTATION_MODULE) || declaration.body?.type !== "TsModuleBlock") return [];
  return declaration.body.body.flatMap((inner) => {
    if (inner.type !== "TsModuleDeclaration" || inner.id.type !== "StringLiteral" || inner.body?.type !== "TsModuleBlock") return [];
    const module = inner.id.value;
    return collectDeclarations({ body: inner.body.body, at }, text).names.map((n) => ({ ...n, name: `${AUGMENTED_NAME}${module}:${n.name}`, local: n.name }));
  });
}

const requireBuiltin = createRequire(import.meta.url);

/**
 * Whether `import { Buffer } from "node:buffer"` (`imported` "Buffer"; "default" or "*" for the
 * module itself) gives the very global the cell's name already is: Node's own `Buffer`, `URL`,
 * `console`, `process`. Such an import needs no stand-in: the global's declaration types it, and
 * a stand-in would redeclare the global in terms of itself (the module exports the global:
 * "'Buffer' is referenced directly or indirectly in its own type annotation").
 * `setTimeout` from "node:timers/promises" is another function, and keeps its stand-in.
 */
function importsTheGlobal(specifier: string, imported: string, name: string): boolean {
  if (!GLOBAL_VALUE_NAMES.has(name) || !(specifier.startsWith("node:") || builtinModules.includes(specifier))) return false;
  try {
    const exports = requireBuiltin(specifier) as Record<string, unknown>;
    const value = imported === "default" || imported === "*" ? exports : exports[imported];
    return value !== undefined && value === (globalThis as Record<string, unknown>)[name];
  } catch {
    return false;
  }
}

/**
 * `specifier` as the import inside an ALIAS_MODULE stand-in, or undefined where the constant
 * stands in alone: a rooted path, a JSON file (a value only, which an alias cannot name).
 */
function ambientSpecifier(specifier: string): string | undefined {
  if (/\.json$/i.test(specifier)) return undefined;
  if (/^\.\.?(?:\/|$)/.test(specifier)) return RELATIVE_MODULE + specifier;
  return /^(?:[\\/]|[a-zA-Z]:)/.test(specifier) ? undefined : specifier;
}

/** What `import.meta` is to the checker: a global as long, declared by the cell's stand-ins (not one of the cell's names). */
const IMPORT_META = "__ephemeron";


/** A checker's message without the stand-ins' module names: "Cannot find module './geo.js'" as the cell wrote it. */
export function withoutStandInModules(text: string): string {
  return text.replaceAll(RELATIVE_MODULE, "");
}

/**
 * The text the checker gets for a cell, with its top-level names. Throws swc's error when the
 * cell does not parse (the transform reports syntax errors before the check is asked for).
 */
export function checkedText(source: string, declaredModules: ReadonlySet<string> = new Set()): CheckedText {
  if (!mayDeclareOrImport(source)) return { text: source, appended: [], names: [], unnamed: false, inserted: [], references: [] };
  let parsed: Parsed;
  try {
    parsed = parseWithOffsets(source, "typescript");
  } catch {
    // Unfinished code (completion, inspection) or a syntax error: as it is, for tsgo to report.
    return { text: source, appended: [], names: [], unnamed: false, inserted: [], references: [] };
  }
  const rewritten = rewriteModuleSyntax(parsed, source, declaredModules);
  const text = rewritten?.text ?? source;
  const final = rewritten === undefined ? parsed : parseWithOffsets(text, "typescript");
  const declarations = collectDeclarations(final, text);
  const references = [...collectReferences(final, text, new Set(declarations.names.map((n) => n.start))), ...standInUses(final)];
  const checked: CheckedText = { text, appended: [], inserted: [], ...rewritten, ...declarations, references };
  // The rewrite unwraps `declare global { … }` into top-level declarations. Its interfaces and type
  // aliases of a library's global name add to the library's: named apart from the cell's own of that
  // name (`augmented:global:Event`), which shadow the library's (cell-project.ts), so that neither replaces the other.
  const blocks = parsed.body.flatMap((item) => item.type === "TsModuleDeclaration" && item.global ? [[parsed.at(item.span.start), parsed.at(item.span.end)] as const] : []);
  if (blocks.length > 0) {
    checked.names = checked.names.map((n) => {
      const at = sourceOffset(checked, n.start);
      if ((n.kind !== "interface" && n.kind !== "type") || !isGlobalName(n.name) || !blocks.some(([from, to]) => at >= from && at < to)) return n;
      return { ...n, name: `${AUGMENTED_NAME}global:${n.name}`, local: n.name };
    });
  }
  return checked;
}

/**
 * The uses of names in a cell that declares and imports nothing (checkedText leaves them out: no
 * later cell's rendering needs them), for a cell that uses a type of an earlier cell's whose
 * name the libraries declare too (cell-project.ts renames such a type in the checker's files).
 */
export function cellReferences(source: string): NameReference[] {
  try {
    return collectReferences(parseWithOffsets(source, "typescript"), source, new Set());
  } catch {
    // Unfinished code or a syntax error: tsgo reports what it makes of it.
    return [];
  }
}

/**
 * `declaredModules`: modules a cell's `declare module` declares (a script's ambient module) rather
 * than augments: packages without types, which tsc cannot augment (TS2665), and modules nobody can
 * find that a cell without imports or exports declares.
 */
function rewriteModuleSyntax({ body, at }: Parsed, text: string, declaredModules: ReadonlySet<string>): Omit<CheckedText, "names" | "unnamed" | "references"> | undefined {
  /** Ranges blanked out; or replaced with a word (space-padded to the range's length). */
  const blanks: [number, number, string?][] = [];
  /** Words put in at offsets of the cell (ascending). */
  const inserts: [number, string][] = [];
  type StandIn = { code: string; origin: number; group: number; reportAlone: boolean; valueName?: string; expectedCodes?: readonly number[] };
  const standIns: StandIn[] = [];
  /** Appended after every other stand-in: CheckedText.probesFrom. */
  const probes: StandIn[] = [];
  const scriptAugmentations: string[] = [];
  let group = 0;
  const moduleType = (specifier: string): string => `import(${JSON.stringify(specifier)})`;
  const start = (node: { span: Swc.Span }): number => at(node.span.start);
  const end = (node: { span: Swc.Span }): number => at(node.span.end);

  /**
   * The stand-ins of an import of `name` as a global alias through an ALIAS_MODULE (`importLine`,
   * aliasesThrough), whose value has type `valueType`; `probed`: whether the import may name a
   * type only (AppendedDeclaration.valueName). Under a name the global scope has already, the
   * alias merges with the global's declaration: the value then has the global's type (Node's
   * `crypto`, Crypto: "Property 'createHash' does not exist"), or the alias resolves to nothing
   * (`Console`, an interface of Node's globals). A constant of the import's value goes before it,
   * the value's probe as well, and the alias gives the rest: types and namespaces (`crypto.Hash`).
   * The two conflict (TS2440, an import beside a local of its name), which is no error of the
   * cell's (AppendedDeclaration.expectedCodes).
   */
  const throughAlias = (name: string, importLine: string, specifier: string, valueType: string, origin: number, probed: boolean, g = group++): void => {
    const [alias, probe] = aliasesThrough(name, importLine, specifier);
    if (isGlobalName(name)) {
      standIns.push({ code: `declare const ${name}: ${valueType};`, origin, group: g, reportAlone: false, ...(probed ? { valueName: name } : {}) });
      standIns.push({ code: alias, origin, group: g, reportAlone: true, expectedCodes: BESIDE_CONSTANT_CODES });
      return;
    }
    standIns.push({ code: alias, origin, group: g, reportAlone: true });
    if (probed) probes.push({ code: probe, origin, group: g, reportAlone: false, valueName: name });
  };

  /**
   * The stand-in of a type-only import (`import type { join }`, `import type * as path`, `import type
   * Emitter`): the global alias, through an `import type` of the module's (`importLine`), has every
   * meaning tsc gives the name: its types (a default class's instance type), `typeof join`, and a
   * value's use refused as tsc refuses it ("cannot be used as a value because it was imported using
   * 'import type'", TS1361), where the runtime imports nothing. Not under a global's name, with
   * which the alias would merge (throughAlias).
   */
  const typeOnlyAlias = (name: string, importLine: string, specifier: string, origin: number, g = group++): void => {
    standIns.push({ code: aliasesThrough(name, importLine, specifier)[0], origin, group: g, reportAlone: true, expectedCodes: TYPE_ONLY_ALIAS_CODES });
  };

  // tsc takes a file with an import or an export as a module, and its `declare module "m"` as an augmentation of m.
  const isModule = body.some((item) => item.type.startsWith("Import") || item.type.startsWith("Export") || item.type === "TsExportAssignment" ||
    (item.type === "TsImportEqualsDeclaration" && item.moduleRef.type === "TsExternalModuleReference"));
  for (const item of body) {
    switch (item.type) {
      case "ImportDeclaration": {
        // An empty statement in its place, not blanks: a `// @ts-ignore` above it covers it alone, as in tsc,
        // where over a blank line it would cover the next line's errors (blank lines are passed over).
        blanks.push([start(item), end(item), ";"]);
        const module = moduleType(item.source.value);
        for (const specifier of item.specifiers) {
          const name = specifier.local.value;
          const origin = start(specifier.local);
          const imported = specifier.type === "ImportDefaultSpecifier" ? "default" : specifier.type === "ImportNamespaceSpecifier" ? "*" : (specifier.imported?.value ?? name);
          if (importsTheGlobal(item.source.value, imported, name)) continue;
          if (specifier.type === "ImportDefaultSpecifier") {
            const valueType = `typeof ${module} extends { default: infer D } ? D : typeof ${module}`;
            const ambient = ambientSpecifier(item.source.value);
            if (ambient !== undefined && item.typeOnly && !isGlobalName(name)) {
              typeOnlyAlias(name, `import type ${ALIAS_LOCAL} from ${JSON.stringify(ambient)};`, item.source.value, origin);
              continue;
            }
            if (ambient !== undefined && !item.typeOnly) {
              throughAlias(name, `import ${ALIAS_LOCAL} from ${JSON.stringify(ambient)};`, item.source.value, valueType, origin, true);
              continue;
            }
            standIns.push({ code: item.typeOnly ? `type ${name} = ${valueType};` : `declare const ${name}: ${valueType};`, origin, group: group++, reportAlone: true });
          } else if (specifier.type === "ImportNamespaceSpecifier") {
            const ambient = ambientSpecifier(item.source.value);
            if (ambient !== undefined && item.typeOnly && !isGlobalName(name)) typeOnlyAlias(name, `import type * as ${ALIAS_LOCAL} from ${JSON.stringify(ambient)};`, item.source.value, origin);
            else if (ambient !== undefined) throughAlias(name, `import * as ${ALIAS_LOCAL} from ${JSON.stringify(ambient)};`, item.source.value, `typeof ${module}`, origin, false);
            else standIns.push({ code: `declare const ${name}: typeof ${module};`, origin, group: group++, reportAlone: true });
          } else {
            const g = group++;
            const member = JSON.stringify(imported);
            const typeOnly = item.typeOnly || specifier.isTypeOnly;
            const elementStart = start(specifier);
            const ambient = imported === "default" || !IDENTIFIER.test(imported) ? undefined : ambientSpecifier(item.source.value);
            if (ambient !== undefined && typeOnly && !isGlobalName(name)) {
              typeOnlyAlias(name, `import type { ${imported} as ${ALIAS_LOCAL} } from ${JSON.stringify(ambient)};`, item.source.value, elementStart, g);
              continue;
            }
            if (ambient !== undefined && !typeOnly) {
              // A global alias of the export: whatever it is, value, type or namespace (`z.infer<…>` of zod's `z`),
              // or a member of an `export =` value (`join` of node:path), as an import specifier finds it.
              throughAlias(name, `import { ${imported} as ${ALIAS_LOCAL} } from ${JSON.stringify(ambient)};`, item.source.value, `typeof ${module}[${member}]`, elementStart, true, g);
              continue;
            }
            if (!typeOnly) standIns.push({ code: `declare const ${name}: typeof ${module}[${member}];`, origin: elementStart, group: g, reportAlone: true, valueName: name });
            // The type meaning of the name (a class, interface or type alias): fails harmlessly for values.
            standIns.push({ code: `type ${name} = ${module}.${imported};`, origin: elementStart, group: g, reportAlone: typeOnly });
          }
        }
        break;
      }
      case "TsImportEqualsDeclaration": {
        if (item.moduleRef.type !== "TsExternalModuleReference") {
          // `export import A = N.b` is an alias, as without `export` (which would make the cell a module).
          if (item.isExport && text.startsWith("export", start(item))) blanks.push([start(item), start(item) + "export".length]);
          // Whether the alias has a value to run: tsc emits nothing for an alias of a type or of a namespace of types,
          // where swc, which cannot tell, writes `const A = N.b` (and Node finds no `N`).
          probes.push({ code: `declare const ${PROBE_PREFIX}${item.id.value}: typeof ${item.id.value};`, origin: start(item.id), group: group++, reportAlone: false, valueName: item.id.value });
          break;
        }
        blanks.push([start(item), end(item), ";"]);
        const specifier = item.moduleRef.expression.value;
        if (importsTheGlobal(specifier, "*", item.id.value)) break;
        const ambient = ambientSpecifier(specifier);
        const valueType = `typeof ${moduleType(specifier)}`;
        if (ambient !== undefined) throughAlias(item.id.value, `import ${ALIAS_LOCAL} = require(${JSON.stringify(ambient)});`, specifier, valueType, start(item.id), false);
        else standIns.push({ code: `declare const ${item.id.value}: ${valueType};`, origin: start(item.id), group: group++, reportAlone: true });
        break;
      }
      case "TsModuleDeclaration":
        // `declare global { … }` is how a module adds globals; a cell is a script, whose top-level
        // declarations are globals already (and where TypeScript refuses the block: TS2669). Its
        // values stay ambient: `declare var x: T`, not a variable this cell must assign; and so do its
        // namespaces, whose members an ambient context exports (`namespace NodeJS { interface ProcessEnv … }`).
        if (item.global && item.body?.type === "TsModuleBlock") {
          blanks.push([start(item), start(item.body) + 1], [end(item.body) - 1, end(item)]);
          for (const statement of item.body.body) {
            // `export` in the block says what it says without (an ambient context exports its members); at a script's top it would make the cell a module.
            const declaration = statement.type === "ExportDeclaration" ? statement.declaration : statement;
            if (declaration !== statement) blanks.push([start(statement), start(declaration)]);
            if (/^(?:var|let|const|function|class|abstract|enum|namespace|module)\b/.test(text.slice(start(declaration), start(declaration) + 10))) {
              inserts.push([start(declaration), "declare "]);
            }
          }
        } else if (
          item.id.type === "StringLiteral" && !declaredModules.has(item.id.value) && item.body?.type === "TsModuleBlock" && text.startsWith("declare", start(item)) &&
          // A pattern (`declare module "*.css"`) names no module to augment.
          (isModule || !item.id.value.includes("*"))
        ) {
          if (!isModule) scriptAugmentations.push(item.id.value);
          // An augmentation: inside the ambient module, without its `declare` (already ambient there);
          // a relative name through the tsconfig's prefix, as an import's stand-in names it.
          blanks.push([start(item), start(item) + "declare".length]);
          inserts.push([start(item), `declare module ${JSON.stringify(AUGMENTATION_MODULE)} {`]);
          const relative = /^\.\.?(?:\/|$)/.test(item.id.value);
          if (relative) inserts.push([start(item.id) + 1, RELATIVE_MODULE]);
          inserts.push([end(item), " }"]);
          // Nested so, an augmentation of a module nobody can find is no error: tsc's TS2664 is this probe's "Cannot find module".
          const specifier = JSON.stringify(relative ? RELATIVE_MODULE + item.id.value : item.id.value);
          probes.push({ code: `;(null as unknown as typeof import(${specifier}));`, origin: start(item.id), group: group++, reportAlone: true });
        }
        break;
      case "ExportNamedDeclaration":
      case "ExportAllDeclaration":
      case "TsNamespaceExportDeclaration":
        blanks.push([start(item), end(item), ";"]);
        break;
      case "ExportDeclaration":
        blanks.push([start(item), start(item.declaration)]);
        break;
      case "ExportDefaultDeclaration": {
        // `export default function () {}` is no declaration without the keywords: `void function () {}` is a statement.
        const anonymous = item.decl.type !== "TsInterfaceDeclaration" && item.decl.identifier == null;
        blanks.push([start(item), start(item.decl), anonymous ? "void" : undefined]);
        break;
      }
      case "ExportDefaultExpression":
      case "TsExportAssignment":
        // `export default expr` runs `expr`; `export = expr` likewise.
        blanks.push([start(item), start(item.expression as { span: Swc.Span })]);
        break;
      default:
        break;
    }
  }
  // `import.meta` makes a file a module to TypeScript (whatever moduleDetection says), whose names
  // later cells would not see: a global of its type stands in, under a name of the same length.
  const metas = importMetaStarts(body, at);
  for (const meta of metas) blanks.push([meta, meta + "import.meta".length, IMPORT_META]);
  if (metas.length > 0) standIns.push({ code: `declare var ${IMPORT_META}: ImportMeta;`, origin: metas[0]!, group: group++, reportAlone: false });
  if (blanks.length === 0 && standIns.length === 0 && probes.length === 0) return undefined;

  let rewritten = text;
  for (const [from, to, word = ""] of blanks) {
    const blank = rewritten.slice(from, to).replace(/[^\r\n]/g, " ");
    rewritten = rewritten.slice(0, from) + word + blank.slice(word.length) + rewritten.slice(to);
  }
  const inserted: CheckedText["inserted"] = [];
  for (const [offset, word] of [...inserts].reverse()) rewritten = rewritten.slice(0, offset) + word + rewritten.slice(offset);
  let shift = 0;
  for (const [offset, word] of inserts) {
    inserted.push({ at: offset + shift, length: word.length });
    shift += word.length;
  }
  const appended: AppendedDeclaration[] = [];
  rewritten += "\n;";
  let probesFrom: number | undefined;
  for (const standIn of [...standIns, ...probes]) {
    if (standIn === probes[0]) probesFrom = rewritten.length;
    rewritten += "\n";
    const { origin, group, reportAlone, valueName, expectedCodes } = standIn;
    appended.push({
      start: rewritten.length, end: rewritten.length + standIn.code.length, origin, group, reportAlone,
      ...(valueName === undefined ? {} : { valueName }), ...(expectedCodes === undefined ? {} : { expectedCodes }),
    });
    rewritten += standIn.code;
  }
  return { text: rewritten, appended, inserted, ...(probesFrom === undefined ? {} : { probesFrom }), ...(scriptAugmentations.length === 0 ? {} : { scriptAugmentations }) };
}

/**
 * A global alias `name` of what `importLine` imports as ALIAS_LOCAL (a module, its default, its
 * `export =` value), through THROUGH_MODULE; and its probe, which fails alone when that is a type
 * only (AppendedDeclaration.valueName; CheckedText.probesFrom). The probe is a declaration of the
 * script, not an ambient module: the accepted cell's file leaves it out, and a file whose ambient
 * modules change makes tsgo resolve every module of the program again (~400 calls back for files,
 * 30–60 ms, at the next cell).
 */
function aliasesThrough(name: string, importLine: string, specifier: string): [string, string] {
  const through = JSON.stringify(THROUGH_MODULE + specifier);
  const module = `declare module ${JSON.stringify(ALIAS_MODULE + specifier)} { import * as ${ALIAS_LOCAL} from ${through};`;
  return [
    `declare module ${through} { ${importLine} export { ${ALIAS_LOCAL} as ${name} }; } ${module} global { export import ${name} = ${ALIAS_LOCAL}.${name}; } }`,
    `declare const ${PROBE_PREFIX}${name}: typeof ${name};`,
  ];
}

/** A probe's name: completion leaves out every `__ephemeron_` name. */
const PROBE_PREFIX = "__ephemeron_probe_";

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

/** Whether a `declare module` is the THROUGH_MODULE half of an import's stand-in. */
function isThroughModule(declaration: Swc.TsModuleDeclaration): boolean {
  return declaration.id.type === "StringLiteral" && declaration.id.value.startsWith(THROUGH_MODULE);
}

/** Whether a `declare module` is a stand-in's (ALIAS_MODULE, THROUGH_MODULE), not one the cell wrote. */
function isStandInModule(declaration: Swc.TsModuleDeclaration): boolean {
  return declaration.id.type === "StringLiteral" && (declaration.id.value.startsWith(ALIAS_MODULE) || declaration.id.value.startsWith(THROUGH_MODULE));
}

/** The places of an import's name in its stand-in other than the alias (THROUGH_MODULE's export): uses of the alias. */
function standInUses({ body, at }: Parsed): NameReference[] {
  const uses: NameReference[] = [];
  const use = (id: Swc.Identifier): void => {
    const start = at(id.span.start);
    uses.push({ name: id.value, start, end: start + id.value.length, shorthand: false, meaning: MEANING.all });
  };
  for (const item of body) {
    if (item.type !== "TsModuleDeclaration" || item.body?.type !== "TsModuleBlock") continue;
    if (isThroughModule(item)) {
      for (const statement of item.body.body) {
        if (statement.type !== "ExportNamedDeclaration") continue;
        for (const specifier of statement.specifiers) if (specifier.type === "ExportSpecifier" && specifier.exported?.type === "Identifier") use(specifier.exported);
      }
      continue;
    }
    if (!isStandInModule(item)) continue;
    const through = item.body.body.some((statement) => statement.type === "ImportDeclaration" && statement.source.value.startsWith(THROUGH_MODULE));
    for (const statement of item.body.body) {
      if (!through || statement.type !== "TsModuleDeclaration" || !statement.global || statement.body?.type !== "TsModuleBlock") continue;
      // The name THROUGH_MODULE exports it under: the alias's own (a named import's is the module's export, which stays).
      for (const alias of statement.body.body) {
        if (alias.type === "TsImportEqualsDeclaration" && alias.moduleRef.type === "TsQualifiedName" && alias.moduleRef.right.type === "Identifier") use(alias.moduleRef.right);
      }
    }
  }
  return uses;
}

/** The global alias an ALIAS_MODULE stand-in declares. */
function aliasDeclared(declaration: Swc.TsModuleDeclaration): Swc.Identifier | undefined {
  if (declaration.id.type !== "StringLiteral" || !declaration.id.value.startsWith(ALIAS_MODULE) || declaration.body?.type !== "TsModuleBlock") return undefined;
  for (const statement of declaration.body.body) {
    if (statement.type !== "TsModuleDeclaration" || !statement.global || statement.body?.type !== "TsModuleBlock") continue;
    const alias = statement.body.body.find((s) => s.type === "TsImportEqualsDeclaration");
    if (alias?.type === "TsImportEqualsDeclaration") return alias.id;
  }
  return undefined;
}

/** The names a THROUGH_MODULE stand-in exports. */
function exportedNames(declaration: Swc.TsModuleDeclaration): string[] {
  if (declaration.body?.type !== "TsModuleBlock") return [];
  return declaration.body.body.flatMap((statement) => statement.type !== "ExportNamedDeclaration" ? [] :
    statement.specifiers.flatMap((specifier) => specifier.type === "ExportSpecifier" && specifier.exported?.type === "Identifier" ? [specifier.exported.value] : []));
}

/** What completion calls the name a THROUGH_MODULE stand-in exports: a module (namespace import, `require`), else a value. */
function throughKind(declaration: Swc.TsModuleDeclaration): string {
  if (declaration.body?.type !== "TsModuleBlock") return "variable";
  const imported = declaration.body.body[0];
  return imported?.type === "TsImportEqualsDeclaration" || (imported?.type === "ImportDeclaration" && imported.specifiers[0]?.type === "ImportNamespaceSpecifier") ? "module" : "variable";
}

/** The top-level names of a (script) cell, and whether it has declarations without one. */
function collectDeclarations({ body, at }: Parsed, text: string): { names: DeclaredName[]; unnamed: boolean } {
  const names: DeclaredName[] = [];
  let unnamed = false;
  /** The kind of each name a THROUGH_MODULE exports, for the alias that follows it. */
  const throughKinds = new Map<string, string>();
  /** The bindings of `{ name }` and `{ name = d }` in the cell's patterns. */
  const shorthands = new Set<Swc.Identifier>();
  const add = (id: Swc.Identifier, kind: string, meaning = kindMeaning(kind)): void => {
    // A binding's span can take in its `?` and type annotation; the name is the identifier's first characters.
    const start = at(id.span.start);
    names.push({ name: id.value, kind, meaning, start, end: start + id.value.length, ...(shorthands.has(id) ? { shorthand: true } : {}) });
  };
  const addBindings = (pattern: Swc.Pattern): void => {
    shorthandBindings(pattern, shorthands);
    for (const id of bindingIdentifiers(pattern)) add(id, "variable");
  };
  for (const item of body) {
    const declaration: Swc.ModuleItem | Swc.Declaration = item.type === "ExportDeclaration" ? item.declaration : item;
    switch (declaration.type) {
      case "VariableDeclaration":
        if (declaration.declare && declaration.declarations[0]?.id.type === "Identifier" && declaration.declarations[0].id.value === IMPORT_META) break;
        for (const declarator of declaration.declarations) addBindings(declarator.id);
        break;
      case "FunctionDeclaration":
        add(declaration.identifier, "function");
        break;
      case "ClassDeclaration":
        add(declaration.identifier, "class");
        break;
      case "TsInterfaceDeclaration":
        add(declaration.id, "interface");
        break;
      case "TsTypeAliasDeclaration":
        add(declaration.id, "type");
        break;
      case "TsEnumDeclaration":
        add(declaration.id, "enum");
        break;
      case "TsImportEqualsDeclaration":
        add(declaration.id, "module");
        break;
      case "TsModuleDeclaration": {
        const alias = aliasDeclared(declaration);
        if (alias !== undefined) {
          add(alias, throughKinds.get(alias.value) ?? "variable", MEANING.all);
          names[names.length - 1]!.importedFrom = (declaration.id as Swc.StringLiteral).value.slice(ALIAS_MODULE.length);
        }
        else if (isThroughModule(declaration)) for (const name of exportedNames(declaration)) throughKinds.set(name, throughKind(declaration));
        else if (isStandInModule(declaration)) break;
        else if (declaration.id.type === "Identifier" && !declaration.global) add(declaration.id, "module", instantiated(declaration) ? kindMeaning("namespace") : MEANING.namespace);
        else if (declaration.id.type === "StringLiteral" && !declaration.id.value.startsWith(AUGMENTATION_MODULE) && text.startsWith(declaration.id.value, at(declaration.id.span.start) + 1)) {
          // Two ambient declarations of a module merge; the cell's replaces an earlier cell's, as its other declarations do.
          const start = at(declaration.id.span.start) + 1;
          names.push({ name: AMBIENT_MODULE_NAME + declaration.id.value, kind: "module", meaning: MEANING.all, start, end: start + declaration.id.value.length });
        } else {
          // An augmentation's members (`interface Opts` of "pkg"): each replaces the earlier augmentation's of that
          // module and name, as an edited cell's should; two augmentations merge (an edited member's type did not apply).
          const augmented = augmentationMembers(declaration, at, text);
          names.push(...augmented);
          if (augmented.length === 0) unnamed = true;
        }
        break;
      }
      default:
        // `for (var i …)`, `if (…) { var x }`: a script's `var` in a block is a top-level name too.
        for (const { declaration: nested } of nestedVars(declaration as Swc.Statement)) {
          for (const declarator of nested.declarations) addBindings(declarator.id);
        }
        break;
    }
  }
  return { names, unnamed };
}

/**
 * The names a block, a function's body, a loop's head or a catch clause declares for itself (`let`,
 * `const`, a class, function, interface, type or enum in a block, the caught error): in it, a name
 * of the cell's spelled alike is not the cell's.
 */
function blockScopedNames(node: SwcNode): string[] {
  const lexical = (declaration: unknown): string[] => {
    const d = declaration as Swc.VariableDeclaration | null | undefined;
    return d?.type === "VariableDeclaration" && d.kind !== "var" ? d.declarations.flatMap((v) => bindingIdentifiers(v.id)).map((id) => id.value) : [];
  };
  switch (node.type) {
    case "ForStatement":
      return lexical(node.init);
    case "ForOfStatement":
    case "ForInStatement":
      return lexical(node.left);
    case "CatchClause":
      return bindingIdentifiers(node.param as Swc.Pattern | null).map((id) => id.value);
    case "BlockStatement":
    case "FunctionBody":
      return (node.stmts as Swc.Statement[]).flatMap((statement) => {
        switch (statement.type) {
          case "ClassDeclaration":
          case "FunctionDeclaration":
            return [statement.identifier.value];
          case "TsInterfaceDeclaration":
          case "TsTypeAliasDeclaration":
          case "TsEnumDeclaration":
            return [statement.id.value];
          default:
            return lexical(statement);
        }
      });
    default:
      return [];
  }
}

/** Adds to `out` the keys of a pattern's shorthand properties (`{ name }`, `{ name = d }`), which are its bindings too. */
function shorthandBindings(pattern: unknown, out: Set<Swc.Identifier>): void {
  if (Array.isArray(pattern)) {
    for (const item of pattern) shorthandBindings(item, out);
    return;
  }
  if (typeof pattern !== "object" || pattern === null) return;
  const node = pattern as SwcNode;
  if (node.type === "AssignmentPatternProperty") out.add(node.key as Swc.Identifier);
  // Not into a default value's expression or a type: only patterns hold bindings.
  for (const field of ["elements", "properties", "left", "argument", "value"]) if (field in node && !(node.type === "AssignmentPatternProperty" && field === "value")) shorthandBindings(node[field], out);
}

/** Fields of these nodes that name a property, label or member, not a declaration a cell could own. */
const NOT_REFERENCES: Record<string, readonly string[]> = {
  MemberExpression: ["property"],
  SuperPropExpression: ["property"],
  KeyValueProperty: ["key"],
  KeyValuePatternProperty: ["key"],
  MethodProperty: ["key"],
  GetterProperty: ["key"],
  SetterProperty: ["key"],
  ClassProperty: ["key"],
  ClassMethod: ["key"],
  Constructor: ["key"],
  TsPropertySignature: ["key"],
  TsMethodSignature: ["key"],
  TsGetterSignature: ["key"],
  TsSetterSignature: ["key"],
  TsEnumMember: ["id"],
  TsQualifiedName: ["right"],
  TsImportType: ["qualifier"],
  TsTypePredicate: ["paramName"],
  TsTypeParameter: ["name"],
  LabeledStatement: ["label"],
  BreakStatement: ["label"],
  ContinueStatement: ["label"],
  MetaProperty: ["meta", "property"],
  // A module's or `global`'s body is the stand-ins' own or ambient (a namespace's is visited: collectReferences).
  TsModuleDeclaration: ["body"],
  TsNamespaceDeclaration: ["id"],
};
/**
 * Code that runs later than the cell (when called, or constructed): its values follow the newest
 * declaration. Not a static field's initializer nor a static block, which run with the class's
 * declaration (deferredNode), nor a member's computed name (`[key]`), evaluated there too.
 */
const DEFERRED = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression", "ClassMethod", "PrivateMethod", "Constructor", "MethodProperty", "GetterProperty", "SetterProperty", "ClassProperty", "PrivateProperty"]);

function deferredNode(node: SwcNode): boolean {
  return DEFERRED.has(node.type ?? "") && !((node.type === "ClassProperty" || node.type === "PrivateProperty") && node.isStatic === true);
}

/**
 * A member's name that is an expression (`[slot]`), whose uses NOT_REFERENCES would skip with the
 * name: swc wraps it in a Computed node, and marks a signature's (`interface I { [slot]: T }`) computed.
 */
function computedKey(node: SwcNode, field: string, child: unknown): unknown {
  if (field !== "key" || typeof child !== "object" || child === null) return undefined;
  const key = child as SwcNode;
  if (key.type === "Computed") return key.expression;
  return node.computed === true ? key : undefined;
}


/**
 * The uses of names in a cell (see CheckedText.references). Type parameters shadow what they
 * name inside their declaration; a name declared by the cell itself at the same offset is a
 * declaration, not a use.
 */
function collectReferences({ body, at }: Parsed, text: string, declarationStarts: Set<number>): NameReference[] {
  const references: NameReference[] = [];
  /**
   * Where a node stands. `valueInType`: in a type, but naming a value (`typeof name`, a computed
   * key `[name]`); `qualifier`: the node is what a type's dotted name starts with (`NS.T`).
   */
  /**
   * `selfClass`: inside the body of the cell's class (or namespace) of that name, where the name is its own
   * binding, even in a method that runs later: `new P()` there makes the class it is in, not the newest P.
   */
  /**
   * `runsNow`: a function passed to a call, or called where it stands (`xs.map((x) => f(x))`,
   * `(() => f())()`), which runs with the cell (as a rule: a callback stored for later is the
   * exception), so the values it makes keep the types of then.
   */
  interface Place { inType: boolean; deferred: boolean; typeParameters: ReadonlySet<string>; shorthand: boolean; valueInType: boolean; qualifier: boolean; locals: ReadonlySet<string>; selfClass?: string; runsNow?: boolean }
  const visit = (value: unknown, place: Place): void => {
    const { inType, deferred, typeParameters, valueInType, locals } = place;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, { ...place, shorthand: false, qualifier: false });
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const node = value as SwcNode;
    const type = node.type ?? "";
    if (type === "Identifier") {
      const name = node.value as string;
      const typed = inType || (node.typeAnnotation !== undefined && node.typeAnnotation !== null);
      if ((inType || !deferred || name === place.selfClass) && !(inType && typeParameters.has(name)) && !locals.has(name) && node.span) {
        const start = at(node.span.start);
        const meaning = !inType || valueInType ? MEANING.value : place.qualifier ? MEANING.namespace : MEANING.type;
        if (!declarationStarts.has(start) && text.startsWith(name, start)) references.push({ name, start, end: start + name.length, shorthand: place.shorthand, meaning });
      }
      if (typed) visit(node.typeAnnotation, { ...place, inType: true, shorthand: false, valueInType: false, qualifier: false });
      return;
    }
    const nowType = inType || /^Ts.*Type$|^TsType|^TsInterfaceBody$|^TsExpressionWithTypeArguments$|^TsQualifiedName$/.test(type);
    const calledNow = place.runsNow === true && (type === "ArrowFunctionExpression" || type === "FunctionExpression");
    const nowDeferred = deferred || (deferredNode(node) && !calledNow);
    // Through the argument's wrapper (no type of its own) and parentheses, to the function.
    const passesOn: readonly string[] = nowDeferred ? []
      : type === "CallExpression" || type === "NewExpression" ? ["arguments", "callee"]
      : (type === "" || type === "ParenthesisExpression") && place.runsNow === true ? ["expression"]
      : [];
    let scope = typeParameters;
    const declared = (node.typeParameters ?? node.typeParams) as { parameters?: { name: { value: string } }[] } | undefined | null;
    if (declared?.parameters?.length) scope = new Set([...typeParameters, ...declared.parameters.map((p) => p.name.value)]);
    // A mapped type's key (`[K in keyof T]`) is a type parameter of the mapped type.
    const mappedKey = type === "TsMappedType" ? (node.typeParam as { name?: { value?: string } } | undefined)?.name?.value : undefined;
    if (mappedKey !== undefined) scope = new Set([...scope, mappedKey]);
    // `infer U` in a conditional type's extends clause declares U there and in its true branch.
    const inferred = type === "TsConditionalType" ? inferNames(node.extendsType) : [];
    const withInferred = inferred.length > 0 ? new Set([...scope, ...inferred]) : scope;
    const skipped = NOT_REFERENCES[type] ?? [];
    // A namespace's body runs with its cell, and its members (`NS.x`) are its own names there, not the cell's.
    const blockLocals = type === "TsModuleBlock" ? collectDeclarations({ body: node.body as Swc.ModuleItem[], at }, text).names.map((n) => n.name) : [];
    // A callback's parameters are its own names: not uses of the cell's, in its body or in functions inside it.
    const parameters = calledNow ? (node.params as (Swc.Pattern | Swc.Param)[]).flatMap((p) => bindingIdentifiers(p.type === "Parameter" ? p.pat : p)).map((id) => id.value) : [];
    const ownNames = [...blockLocals, ...parameters, ...blockScopedNames(node)];
    const inner: Place = { inType: nowType, deferred: nowDeferred, typeParameters: scope, shorthand: false, valueInType, qualifier: false, locals: ownNames.length > 0 ? new Set([...locals, ...ownNames]) : locals, ...(place.selfClass === undefined ? {} : { selfClass: place.selfClass }) };
    const namespace = type === "TsModuleDeclaration" && (node.id as SwcNode | undefined)?.type === "Identifier" && node.global !== true;
    // A namespace's name inside its body is the function parameter TypeScript's output gives it: its own too.
    const classId = type === "ClassDeclaration" ? (node.identifier as SwcNode | undefined) : namespace ? (node.id as SwcNode) : undefined;
    const selfClass = classId?.span !== undefined && declarationStarts.has(at(classId.span.start)) ? (classId.value as string) : undefined;
    for (const [field, child] of Object.entries(node)) {
      if (field === "span" || field === "ctxt" || field === "type") continue;
      if (selfClass !== undefined && field === "body") {
        visit(child, { ...inner, selfClass });
        continue;
      }
      if (namespace && field === "body" && selfClass === undefined) {
        visit(child, inner);
        continue;
      }
      if (field === "extendsType" || field === "trueType") {
        if (withInferred !== scope) {
          visit(child, { ...inner, typeParameters: withInferred });
          continue;
        }
      }
      if (skipped.includes(field)) {
        // A computed name runs where the member is defined: with the enclosing code, not the member's body. It names a value.
        const expression = computedKey(node, field, child);
        if (expression !== undefined) visit(expression, { ...inner, deferred, valueInType: nowType });
        continue;
      }
      // `{ a }` in an object literal is an Identifier among its properties; in a pattern, an AssignmentPatternProperty's key.
      const isShorthand = (type === "ObjectExpression" && field === "properties") || (type === "AssignmentPatternProperty" && field === "key");
      if (isShorthand && Array.isArray(child)) {
        for (const item of child) visit(item, { ...inner, shorthand: (item as SwcNode | null)?.type === "Identifier" });
      } else if (field === "typeAnnotation" || field === "returnType") {
        visit(child, { ...inner, inType: true, valueInType: false, shorthand: isShorthand });
      } else {
        // `typeof a.b` names values; `NS.T` (or `implements NS.I`) starts with a namespace.
        const qualifier = nowType && ((type === "TsQualifiedName" && field === "left") || (type === "MemberExpression" && field === "object"));
        const runsNow = passesOn.includes(field);
        visit(child, { ...inner, shorthand: isShorthand, valueInType: valueInType || (type === "TsTypeQuery" && field === "exprName"), qualifier, ...(runsNow ? { runsNow } : {}) });
      }
    }
  };
  for (const item of body) visit(item, { inType: false, deferred: false, typeParameters: new Set(), shorthand: false, valueInType: false, qualifier: false, locals: new Set() });
  return references;
}

/**
 * Whether a namespace has values (TypeScript's "instantiated" namespace): one of types only is no
 * value, at run time as to the checker, and leaves a value of its name (`const Api`) as it is.
 */
function instantiated(declaration: Swc.TsModuleDeclaration | Swc.TsNamespaceDeclaration): boolean {
  const body = declaration.body;
  if (body === undefined || body === null) return false;
  if (body.type === "TsNamespaceDeclaration") return instantiated(body);
  return body.body.some((item) => {
    const statement = item.type === "ExportDeclaration" ? item.declaration : item;
    if (statement.type === "TsInterfaceDeclaration" || statement.type === "TsTypeAliasDeclaration") return false;
    if (statement.type === "TsModuleDeclaration") return instantiated(statement);
    return !(statement.type === "ImportDeclaration" && statement.typeOnly);
  });
}

/** The names `infer U` declares in a conditional type's extends clause (not those of a conditional type nested in it). */
function inferNames(extendsType: unknown): string[] {
  const names: string[] = [];
  const visit = (node: SwcNode): boolean => {
    if (node.type === "TsInferType") {
      const name = (node.typeParam as { name?: { value?: string } } | undefined)?.name?.value;
      if (name !== undefined) names.push(name);
    }
    if (node.type !== "TsConditionalType") return true;
    // Its own infers are its own; its check type and branches may hold infers of ours.
    for (const part of [node.checkType, node.trueType, node.falseType]) eachNode(part, visit);
    return false;
  };
  eachNode(extendsType, visit);
  return names;
}

/**
 * Whether a cell may declare a top-level name or import or export anything: false only when
 * none of the keywords that start a declaration appears in it as a word (nor a backslash, which
 * could spell one with an escape), so that such a cell need not be parsed to know it declares nothing.
 */
function mayDeclareOrImport(source: string): boolean {
  return source.includes("\\") || /\b(?:var|let|const|using|function|class|interface|type|enum|namespace|module|global|declare|import|export)\b/.test(source);
}
