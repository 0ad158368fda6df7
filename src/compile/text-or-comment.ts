// Where completion has no code to complete: the text of a string or template, or a comment.
// Shared by the checker's completion and the kernel's fallback to live values.

/**
 * Whether `offset` is inside a string's or template's text or a comment: a small lexer over the text
 * before it (template `${…}` nesting followed; a regular expression literal is taken for code).
 */
export function inTextOrComment(text: string, offset: number): boolean {
  return lexedTo(text, offset).state !== "code";
}

/** Where the text of the '…' or "…" string `offset` is in begins (after its quote); undefined outside one. */
export function stringTextStart(text: string, offset: number): number | undefined {
  const { state, from } = lexedTo(text, offset);
  return state === "'" || state === '"' ? from : undefined;
}

/** What the text before `offset` leaves open (code, a string, a template, a comment), and where that began. */
function lexedTo(text: string, offset: number): { state: "code" | "'" | '"' | "`" | "//" | "/*"; from: number } {
  let state: "code" | "'" | '"' | "`" | "//" | "/*" = "code";
  let from = 0;
  const templates: number[] = []; // brace depth at each `${` a template's text is waiting to resume after
  let braces = 0;
  for (let i = 0; i < offset; i++) {
    const ch = text[i];
    const next = text[i + 1];
    if (state === "code") {
      if (ch === "/" && (next === "/" || next === "*")) {
        state = next === "/" ? "//" : "/*";
        i++;
      } else if (ch === "'" || ch === '"' || ch === "`") {
        state = ch;
        from = i + 1;
      } else if (ch === "{") {
        braces++;
      } else if (ch === "}" && templates.at(-1) === braces) {
        templates.pop();
        state = "`";
      } else if (ch === "}") {
        braces--;
      }
    } else if (state === "//" || state === "/*") {
      if (state === "//" ? ch === "\n" : ch === "*" && next === "/") {
        if (state === "/*") i++;
        state = "code";
      }
    } else if (ch === "\\") {
      i++;
    } else if (state === "`" && ch === "$" && next === "{") {
      templates.push(braces);
      state = "code";
      i++;
    } else if (ch === state || (ch === "\n" && state !== "`")) {
      state = "code";
    }
  }
  return { state, from };
}
