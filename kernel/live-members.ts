// Completion's fallback to the live value (issue 3): when the type checker
// offers nothing after a dot (`dyn.` where `dyn` is typed `any`, a value a
// cell built at run time, or a kernel without type checking), the runtime is
// asked for the names the value really has, as Node's REPL completes them.
// Only a path of names before the dot is followed (`a.b.`): nothing is called.
// Inspection's too: Shift-Tab on a notebook variable (`sizes`, `config.limits`)
// shows how its value prints, as `x?` does (IPython's "String form").

import type { LanguageTools } from "./kernel.js";
import type { MimeBundle } from "./messages.js";
import type { RuntimeSupervisor } from "./runtime-supervisor.js";
import { inTextOrComment } from "../src/compile/text-or-comment.js";

/** `a.b.pre` at the end of the text: a path of names (not after a call, an index or another dot), a dot, and the prefix typed. */
const MEMBER_PATH = /(?<![\p{ID_Continue}$\u200c\u200d.\])])((?:[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*\s*\.\s*)+)([\p{ID_Continue}$\u200c\u200d]*)$/u;

export function withLiveMembers(tools: LanguageTools, runtime: Pick<RuntimeSupervisor, "members" | "stringForm">): LanguageTools {
  return {
    async inspect(code, cursorPos, detailLevel) {
      const { valuePath, ...reply } = await tools.inspect(code, cursorPos, detailLevel);
      // Only a notebook variable's path (the checker's judgement): a busy runtime answers nothing within LIVE_ANSWER_MS.
      const value = valuePath && (await runtime.stringForm(valuePath));
      const data = withStringForm(reply.found ? reply.data : undefined, value);
      return data === undefined ? reply : { ...reply, found: true, data };
    },
    isComplete: (code) => tools.isComplete(code),
    async complete(code, cursorPos) {
      const reply = await tools.complete(code, cursorPos);
      if (reply.matches.length > 0) return reply;
      const before = Array.from(code).slice(0, cursorPos).join("");
      if (inTextOrComment(before, before.length)) return reply;
      const match = MEMBER_PATH.exec(before);
      if (match === null) return reply;
      const path = match[1]!.split(".").map((name) => name.trim()).filter((name) => name !== "");
      const prefix = match[2]!;
      const lower = prefix.toLowerCase();
      const exact = (name: string) => (name.startsWith(prefix) ? 0 : 1);
      const members = (await runtime.members(path))
        .filter(({ name }) => name.toLowerCase().startsWith(lower))
        .sort((a, b) => exact(a.name) - exact(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (members.length === 0) return reply;
      const start = cursorPos - Array.from(prefix).length;
      return {
        matches: members.map(({ name }) => name),
        cursor_start: start,
        cursor_end: cursorPos,
        metadata: { _jupyter_types_experimental: members.map(({ name, kind }) => ({ text: name, type: kind, start, end: cursorPos })) },
      };
    },
  };
}

/** Help's bundle with the value's string form after the signature (the first paragraph), before the documentation. */
export function withStringForm(documented: MimeBundle | undefined, value: string | undefined): MimeBundle | undefined {
  if (value === undefined) return documented;
  const plain = typeof documented?.["text/plain"] === "string" ? documented["text/plain"] : "";
  const markdown = typeof documented?.["text/markdown"] === "string" ? documented["text/markdown"] : "";
  const afterFirst = (text: string, at: number, inserted: string) => (at < 0 ? [text, inserted].filter(Boolean).join("\n\n") : `${text.slice(0, at)}\n\n${inserted}${text.slice(at)}`);
  // The signature is the markdown's first fenced block; its end is the next line that is a fence.
  const fenceEnd = markdown.startsWith("```") ? markdown.indexOf("\n```", 3) : -1;
  return {
    ...documented,
    "text/plain": afterFirst(plain, plain.indexOf("\n\n"), `Value: ${value}`),
    "text/markdown": afterFirst(markdown, fenceEnd < 0 ? -1 : fenceEnd + 4, `Value:\n\n\`\`\`\n${value}\n\`\`\``),
  };
}
