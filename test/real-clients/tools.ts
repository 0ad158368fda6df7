// describe() for a real-client test that needs Python tools and, maybe, a
// program such as /usr/bin/chromium: skipped locally with the apt-get line
// that installs what is missing, one failing test under CI=true (the same
// rule as test/clients/jupyter.ts's describeWithTool, extended to programs).

import { existsSync } from "node:fs";
import { describe, it } from "vitest";
import { missingTool, type JupyterTool } from "../clients/jupyter.js";

export interface Program {
  path: string;
  apt: string;
}

export function describeWithTools(tool: JupyterTool, programs: Program[], title: string, body: () => void): void {
  const reasons: string[] = [];
  const missing = missingTool(tool);
  if (missing !== undefined) reasons.push(missing);
  for (const program of programs) {
    if (!existsSync(program.path)) reasons.push(`${program.path} is missing; install it with: apt-get install -y ${program.apt}`);
  }
  if (reasons.length === 0) {
    describe(title, body);
  } else if (process.env.CI === "true") {
    describe(title, () => {
      it(`finds ${tool.name} and ${programs.map((p) => p.path).join(", ") || "its programs"} installed (CI=true does not skip)`, () => {
        throw new Error(`CI=true and ${reasons.join("; ")}`);
      });
    });
  } else {
    const reason = reasons.join("; ");
    process.stderr.write(`[skipped] ${title}: ${reason}\n`);
    describe.skip(`${title} (skipped: ${reason})`, body);
  }
}
