// The connection file Jupyter writes for a kernel: where to bind, and the key.

import { readFileSync } from "node:fs";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  kernel_name?: string;
}

export type SocketName = "shell" | "control" | "stdin" | "iopub" | "hb";

export class ConnectionFileError extends Error {}

export function readConnectionFile(path: string): ConnectionInfo {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConnectionFileError(`cannot read connection file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConnectionFileError(`connection file ${path} is not JSON`);
  }
  return validateConnection(raw, path);
}

export function validateConnection(raw: unknown, source: string): ConnectionInfo {
  if (typeof raw !== "object" || raw === null) throw new ConnectionFileError(`connection file ${source} is not a JSON object`);
  const info = raw as Record<string, unknown>;
  const transport = info.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") {
    throw new ConnectionFileError(`connection file ${source}: unknown transport '${String(transport)}'`);
  }
  const ports = ["shell_port", "control_port", "stdin_port", "iopub_port", "hb_port"] as const;
  for (const port of ports) {
    const value = info[port];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65535) {
      throw new ConnectionFileError(`connection file ${source}: ${port} is missing or not a port number`);
    }
  }
  const ip = info.ip ?? "127.0.0.1";
  if (typeof ip !== "string" || ip === "") throw new ConnectionFileError(`connection file ${source}: ip is not a string`);
  const key = info.key ?? "";
  if (typeof key !== "string") throw new ConnectionFileError(`connection file ${source}: key is not a string`);
  const scheme = info.signature_scheme ?? "hmac-sha256";
  if (typeof scheme !== "string") throw new ConnectionFileError(`connection file ${source}: signature_scheme is not a string`);
  return {
    transport,
    ip,
    key,
    signature_scheme: scheme,
    shell_port: info.shell_port as number,
    control_port: info.control_port as number,
    stdin_port: info.stdin_port as number,
    iopub_port: info.iopub_port as number,
    hb_port: info.hb_port as number,
    kernel_name: typeof info.kernel_name === "string" ? info.kernel_name : undefined,
  };
}

/** The ZeroMQ endpoint of one channel, as jupyter_client forms it. */
export function endpoint(info: ConnectionInfo, name: SocketName): string {
  const port = info[`${name}_port`];
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}
