// Ids the runtime makes up: display ids and comm ids, random UUIDs as
// ipykernel's are. node:crypto is loaded on the first one, not at start-up:
// it costs every runtime about a megabyte, and most sessions never need an id.

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function randomId(): string {
  return (require("node:crypto") as typeof import("node:crypto")).randomUUID();
}
