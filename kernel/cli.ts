#!/usr/bin/env node
// The `ephemeron` command:
//   ephemeron kernel -f CONNECTION_FILE   what the kernelspec runs
//   ephemeron install [...]                register the kernel with Jupyter
//   ephemeron run NOTEBOOK... [...]        execute notebooks through the kernel
// Subcommands load only what they need, so the kernel starts fast.

const USAGE = `usage: ephemeron <command> [options]

commands:
  install [--user | --sys-prefix | --prefix P] [--name N] [--display-name D]
                      register the kernel with Jupyter (like python -m ipykernel install)
  run NOTEBOOK... [--out DIR] [--timeout S] [--allow-errors]
                      execute notebooks through the kernel and write them with outputs
  kernel -f CONNECTION_FILE [--no-typecheck]
                      start the kernel (what Jupyter runs)

Run 'ephemeron <command> --help' for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "kernel":
      return (await import("./main.js")).main(args);
    case "install":
      return (await import("./install.js")).installCommand(args);
    case "run":
      return (await import("./run-notebooks.js")).runCommand(args);
    case undefined:
      // A mistake (no command): its usage goes where errors go, as install's and run's do.
      process.stderr.write(USAGE);
      return 2;
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`ephemeron: unknown command '${command}' (try 'ephemeron --help')\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`ephemeron: ${error.message}\n`);
    process.exitCode = 1;
  },
);
