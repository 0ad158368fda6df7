// `ephemeron install`: writes the kernelspec where Jupyter looks for it, as
// `python -m ipykernel install` does: the system-wide data dir by default,
// `--user` for the user's, `--sys-prefix` for the Python environment Jupyter
// runs in, `--prefix P` for P/share/jupyter/kernels.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, delimiter, join } from "node:path";
import { jupyterDataDir } from "./history-file.js";
import { resolvedKernelSpec } from "./kernelspec.js";
import { logoPng } from "./logo.js";

const HELP = `usage: ephemeron install [--user | --sys-prefix | --prefix PREFIX] [--name NAME] [--display-name NAME] [--no-typecheck]

Registers ephemeron with Jupyter, as 'python -m ipykernel install' does.

  --user              install for this user only (Jupyter's user data dir)
  --sys-prefix        install into the Python environment Jupyter runs in (sys.prefix of the
                      Python of the jupyter command on PATH)
  --prefix PREFIX     install into PREFIX/share/jupyter/kernels
  --name NAME         the kernelspec's name (default: ephemeron)
  --display-name NAME the name frontends show (default: TypeScript (ephemeron))
  --no-typecheck      the kernel transpiles cells without type checking
  -h, --help          this help

Without --user, --sys-prefix or --prefix the kernel is installed system-wide.
`;

interface InstallOptions {
  location: { kind: "system" } | { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };
  name: string;
  displayName?: string;
  typecheck: boolean;
}

export class UsageError extends Error {}

export function parseInstallArgs(args: string[]): InstallOptions | "help" {
  const options: InstallOptions = { location: { kind: "system" }, name: "ephemeron", typecheck: true };
  const value = (i: number, flag: string) => {
    const next = args[i + 1];
    if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return next;
  };
  let located: string | undefined;
  const locate = (flag: string, location: InstallOptions["location"]) => {
    // As jupyter_client: one place, not the last of several.
    if (located !== undefined && located !== flag) throw new UsageError(`${located} and ${flag} name two places: give one`);
    located = flag;
    options.location = location;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const take = () => inline ?? value(i++, flag);
    // A switch takes no value: `--no-typecheck=false` would otherwise turn checking off all the same.
    const noValue = () => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value (got '${arg}')`);
    };
    switch (flag) {
      case "-h":
      case "--help":
        return "help";
      case "--user":
        noValue();
        locate(flag, { kind: "user" });
        break;
      case "--sys-prefix":
        noValue();
        locate(flag, { kind: "sys-prefix" });
        break;
      case "--prefix": {
        const prefix = take();
        if (prefix.trim() === "") throw new UsageError("--prefix needs a folder");
        locate(flag, { kind: "prefix", prefix });
        break;
      }
      case "--name":
        // Jupyter finds kernelspecs by lowercase folder names; `.` and `..` are no folder of their own.
        options.name = take().toLowerCase();
        if (!/^[a-z0-9._-]+$/.test(options.name) || /^\.+$/.test(options.name)) {
          throw new UsageError(`--name '${options.name}' may only use letters, digits, '.', '_' and '-' (and not only dots)`);
        }
        break;
      case "--display-name":
        options.displayName = take();
        if (options.displayName.trim() === "") throw new UsageError("--display-name needs a name frontends can show");
        break;
      case "--no-typecheck":
        noValue();
        options.typecheck = false;
        break;
      default:
        throw new UsageError(`unknown option '${arg}' (see ephemeron install --help)`);
    }
  }
  return options;
}

/**
 * The Python that runs Jupyter: the interpreter named by the `#!` line of the `jupyter` command on
 * PATH (python3 first on PATH may be another one, a pyenv's say, whose prefix Jupyter never reads).
 */
function jupytersPython(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    try {
      const head = readFileSync(join(dir, "jupyter"), "utf8").slice(0, 256);
      const interpreter = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(head);
      if (!interpreter) continue;
      // `#!/usr/bin/env python3` names it through env.
      return basename(interpreter[1]!) === "env" && interpreter[2] !== undefined ? interpreter[2] : interpreter[1];
    } catch {
      // no jupyter here
    }
  }
  return undefined;
}

function pythonPrefix(): string {
  const candidates = [jupytersPython(), "python3", "python"].filter((python): python is string => python !== undefined);
  for (const python of candidates) {
    try {
      return execFileSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
    } catch {
      // try the next one
    }
  }
  throw new UsageError("--sys-prefix needs the Python that runs Jupyter (jupyter or python3 on PATH)");
}

export function kernelsDir(location: InstallOptions["location"]): string {
  switch (location.kind) {
    case "user":
      return join(jupyterDataDir(), "kernels");
    case "sys-prefix":
      return join(pythonPrefix(), "share", "jupyter", "kernels");
    case "prefix":
      return join(location.prefix, "share", "jupyter", "kernels");
    case "system":
      return process.platform === "win32"
        ? join(process.env.PROGRAMDATA ?? "C:\\ProgramData", "jupyter", "kernels")
        : join("/usr/local/share/jupyter/kernels");
  }
}

export function install(options: InstallOptions): string {
  const dir = join(kernelsDir(options.location), options.name);
  const base = resolvedKernelSpec({ displayName: options.displayName, extraArgs: options.typecheck ? [] : ["--no-typecheck"] });
  // The metadata says what the argv does.
  const metadata = { ...base.metadata, ephemeron: { ...(base.metadata?.ephemeron as object | undefined), typecheck: options.typecheck } };
  const spec = { ...base, metadata };
  // As jupyter_client installs a kernelspec: the folder is replaced, so nothing of a kernel installed
  // under this name before stays (its kernel.js, which the classic Notebook loads; its SVG logo, which
  // JupyterLab's launcher prefers to ours). The name is a single folder name (parseInstallArgs).
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  writeFileSync(join(dir, "logo-32x32.png"), logoPng(32));
  writeFileSync(join(dir, "logo-64x64.png"), logoPng(64));
  return dir;
}

export function installCommand(args: string[]): number {
  let options: InstallOptions | "help" | undefined;
  try {
    options = parseInstallArgs(args);
    if (options === "help") {
      process.stdout.write(HELP);
      return 0;
    }
    const dir = install(options);
    process.stdout.write(`Installed kernelspec ${options.name} in ${dir}\n`);
    return 0;
  } catch (error) {
    const denied = (error as NodeJS.ErrnoException).code === "EACCES" || (error as NodeJS.ErrnoException).code === "EPERM";
    const hint = denied && options !== undefined && options !== "help" && options.location.kind === "system" ? " (install for yourself with --user)" : "";
    process.stderr.write(`ephemeron install: ${(error as Error).message}${hint}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
