// Completion's fallback to the live value (issue 3): when the type checker
// offers nothing after a dot (`dyn.` where `dyn` is typed `any`, a value a
// cell built at run time, or a kernel without type checking), the runtime is
// asked for the names the value really has, as Node's REPL completes them.
// Only a path of names before the dot is followed (`a.b.`): nothing is called.

import type { LanguageTools } from "./kernel.js";
import type { RuntimeSupervisor } from "./runtime-supervisor.js";
import { inTextOrComment } from "../src/compile/text-or-comment.js";

/** `a.b.pre` at the end of the text: a path of names (not after a call, an index or another dot), a dot, and the prefix typed. */
const MEMBER_PATH = /(?<![\p{ID_Continue}$\u200c\u200d.\])])((?:[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*\s*\.\s*)+)([\p{ID_Continue}$\u200c\u200d]*)$/u;

export function withLiveMembers(tools: LanguageTools, runtime: Pick<RuntimeSupervisor, "members">): LanguageTools {
  return {
    inspect: (code, cursorPos, detailLevel) => tools.inspect(code, cursorPos, detailLevel),
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
