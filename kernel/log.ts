// Logging for every ephemeron process. Always stderr: Jupyter shows a kernel's
// stdout in the server's terminal, never in the notebook, and the runtime's
// stdout is the user's. Level from EPHEMERON_LOG (error|warn|info|debug).

const LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LEVELS)[number];

function configuredLevel(): number {
  const wanted = (process.env.EPHEMERON_LOG ?? "warn").toLowerCase();
  const index = LEVELS.indexOf(wanted as LogLevel);
  return index === -1 ? 1 : index;
}

const threshold = configuredLevel();
// Captured once so a runtime that replaces process.stderr.write for user
// output still logs to the real stream.
const writeStderr = process.stderr.write.bind(process.stderr);

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export function createLogger(component: string): Logger {
  const emit = (level: LogLevel) => (message: string) => {
    if (LEVELS.indexOf(level) > threshold) return;
    writeStderr(`[ephemeron ${component}] ${level.toUpperCase()} ${message}\n`);
  };
  return { error: emit("error"), warn: emit("warn"), info: emit("info"), debug: emit("debug") };
}
