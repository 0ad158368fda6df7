// The name a declaration gets in the checker's files when a later cell declares
// its name again (cell-project.ts renames it away, so that the newest one wins),
// or when it is a type under a name the libraries declare globally (`interface
// Event`: renamed, with the cell's uses of it, so that it does not merge with the
// library's); and those names turned back into the one the user wrote, for
// anything the user reads: diagnostics, hover text.

/** What a replaced declaration of `name` in the cell numbered `serial` is called. */
export function replacedName(serial: number, name: string): string {
  return `__ephemeron_replaced_${serial}_${name}`;
}

/**
 * What a cell's interface or type alias of `name` in the cell numbered `serial` is called while
 * it is the newest, when the libraries declare `name` globally: in a script the two would merge
 * (an interface) or clash (a type alias), where a module's declaration shadows the global one.
 */
export function ownGlobalTypeName(serial: number, name: string): string {
  return `__ephemeron_own_${serial}_${name}`;
}

const OWN_NAME = /__ephemeron_own_\d+_([\p{ID_Continue}$\u200c\u200d]+)/gu;

/** Text that may mention replaced declarations, with the names the user wrote. */
export function withoutReplacedNames(text: string): string {
  return text.replace(/__ephemeron_replaced_\d+_([\p{ID_Continue}$\u200c\u200d]+)/gu, "$1").replace(OWN_NAME, "$1");
}

/**
 * A diagnostic's text with the names the user wrote, a replaced declaration's marked as the earlier
 * one: "Property 'id' is missing in type 'User (earlier)' but required in type 'User'" says which
 * is which, where two plain `User`s would not.
 */
export function markingReplacedNames(text: string): string {
  return text.replace(/__ephemeron_replaced_\d+_([\p{ID_Continue}$\u200c\u200d]+)/gu, "$1 (earlier)").replace(OWN_NAME, "$1");
}

/** A completion's name as the user wrote it when it is a cell's own type under a library's global name (ownGlobalTypeName); else as it is. */
export function withoutOwnName(name: string): string {
  return /^__ephemeron_own_\d+_/.test(name) ? name.replace(OWN_NAME, "$1") : name;
}
