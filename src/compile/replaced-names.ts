// The name a declaration gets in the checker's files when a later cell declares
// its name again (cell-project.ts renames it away, so that the newest one wins),
// and that name turned back into the one the user wrote, for anything the user
// reads: diagnostics, hover text.

/** What a replaced declaration of `name` in the cell numbered `serial` is called. */
export function replacedName(serial: number, name: string): string {
  return `__ephemeron_replaced_${serial}_${name}`;
}

/** Text that may mention replaced declarations, with the names the user wrote. */
export function withoutReplacedNames(text: string): string {
  return text.replace(/__ephemeron_replaced_\d+_([\p{ID_Continue}$\u200c\u200d]+)/gu, "$1");
}

/**
 * A diagnostic's text with the names the user wrote, a replaced declaration's marked as the earlier
 * one: "Property 'id' is missing in type 'User (earlier)' but required in type 'User'" says which
 * is which, where two plain `User`s would not.
 */
export function markingReplacedNames(text: string): string {
  return text.replace(/__ephemeron_replaced_\d+_([\p{ID_Continue}$\u200c\u200d]+)/gu, "$1 (earlier)");
}
