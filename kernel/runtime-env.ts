// The environment the runtime starts with: the kernel's, with NODE_EXTRA_CA_CERTS as the user
// set it. The kernelspec's argv starts the kernel process without it (kernelspec.ts: Node 20
// parses the certificates at start, and the kernel makes no TLS connection); the notebook's code,
// which may fetch from a server the user's certificates vouch for, runs in the runtime.

/** Where the kernelspec's argv hands the user's NODE_EXTRA_CA_CERTS over to the kernel. */
export const CA_CERTS_HANDOVER = "EPHEMERON_NODE_EXTRA_CA_CERTS";

export function runtimeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!(CA_CERTS_HANDOVER in env)) return env;
  const { [CA_CERTS_HANDOVER]: certs, NODE_EXTRA_CA_CERTS: _cleared, ...rest } = env;
  return certs ? { ...rest, NODE_EXTRA_CA_CERTS: certs } : rest;
}
