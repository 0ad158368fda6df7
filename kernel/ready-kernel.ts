// A kernel launched and answering: launched from the kernelspec, a client
// connected, kernel_info answered. The ports of a fresh connection file are free
// when they are chosen, but another process may bind one before the kernel does
// (two kernels started at once, as a test run or a batch does); the kernel then
// exits with "Address already in use", and is launched again on other ports.

import { KernelClient } from "./client.js";
import { launchKernel, type LaunchedKernel, type LaunchOptions } from "./kernelspec.js";
import type { Message } from "./messages.js";

const LAUNCH_ATTEMPTS = 3;

export interface ReadyKernel {
  kernel: LaunchedKernel;
  client: KernelClient;
  /** The kernel_info_reply. */
  info: Message;
}

export async function launchReadyKernel(options: LaunchOptions = {}, timeoutMs = 30_000): Promise<ReadyKernel> {
  for (let attempt = 1; ; attempt++) {
    const kernel = await launchKernel(options);
    const client = KernelClient.connect(kernel.connection);
    try {
      const info = await Promise.race([
        client.waitForReady(timeoutMs),
        kernel.exited.then(({ code, signal }) => {
          throw new Error(`the kernel exited before answering (${signal ?? `code ${code}`}):\n${kernel.stderr()}`);
        }),
      ]);
      return { kernel, client, info };
    } catch (error) {
      client.close();
      await kernel.dispose();
      const stderr = kernel.stderr();
      const portTaken = /Address already in use/.test(stderr);
      if (!portTaken || options.connection !== undefined || attempt >= LAUNCH_ATTEMPTS) {
        const message = (error as Error).message;
        throw new Error(message.includes(stderr) ? message : `${message}\nkernel stderr:\n${stderr}`);
      }
    }
  }
}
