// HTML handouts of executed notebooks, made by `jupyter nbconvert --to html`
// (Pygments highlights TypeScript; tables and SVG charts render as they do in
// the notebook). Optional: without nbconvert installed, `ephemeron run
// --html` says how to get it and the notebooks are still written.

import { spawnSync } from "node:child_process";
import { basename, dirname, join } from "node:path";

/** The nbconvert command on this machine, or undefined. Debian's runs on /usr/bin/python3. */
function nbconvertCommand(): string[] | undefined {
  for (const candidate of [["jupyter", "nbconvert"], ["/usr/bin/python3", "-m", "nbconvert"]]) {
    const probe = spawnSync(candidate[0]!, [...candidate.slice(1), "--version"], { encoding: "utf8" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

export const NBCONVERT_HINT = "HTML handouts need jupyter nbconvert (Debian: apt-get install -y jupyter-nbconvert)";

/** Writes NOTEBOOK.html beside the executed notebook; returns its path, or an explanation. */
export function writeHandout(notebookPath: string): { path: string } | { skipped: string } {
  const command = nbconvertCommand();
  if (!command) return { skipped: NBCONVERT_HINT };
  const result = spawnSync(command[0]!, [...command.slice(1), "--to", "html", "--output-dir", dirname(notebookPath), notebookPath], {
    encoding: "utf8",
  });
  if (result.status !== 0) return { skipped: `nbconvert failed for ${basename(notebookPath)}: ${result.stderr.trim().split("\n").at(-1) ?? ""}` };
  // nbconvert names the handout after the notebook with its last extension, whatever it was, replaced.
  return { path: join(dirname(notebookPath), `${basename(notebookPath).replace(/\.[^.]*$/, "")}.html`) };
}
