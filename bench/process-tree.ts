// A kernel's whole process tree, read from /proc: its resident memory (the sum
// of VmRSS over the kernel and every descendant, and the same with each page of
// a file that several of its processes map counted once) and killing all of it.

import { readFileSync } from "node:fs";
import { processTree, readStat } from "../src/runtime/processes.js";

export { processTree };

function vmRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface TreeMemory {
  /** VmRSS summed over the processes. */
  bytes: number;
  /** Resident memory with each file page shared by processes of the tree counted once (see sharedOnceBytes). */
  sharedOnceBytes: number;
  processes: number;
}

export function treeRss(root: number): TreeMemory {
  const tree = processTree(root);
  return { bytes: tree.reduce((sum, pid) => sum + vmRssBytes(pid), 0), sharedOnceBytes: sharedOnceBytes(tree), processes: tree.length };
}

/**
 * The memory a set of processes holds in RAM, from /proc/PID/smaps: every process's anonymous
 * and dirty pages, plus the clean pages of each mapped file region once (the largest resident
 * count any of the processes has for that region). Summing VmRSS counts a file's page once per
 * process that maps it: two Node processes both count the node binary's ~40 MB of code, which
 * the machine holds once. For a single process it equals VmRSS.
 */
function sharedOnceBytes(pids: number[]): number {
  let privateKb = 0;
  const cleanFileKb = new Map<string, number>();
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/smaps`, "utf8");
    } catch {
      continue;
    }
    let region: string | undefined;
    let fields: Record<string, number> = {};
    const flush = (): void => {
      if (region === undefined) return;
      const clean = (fields.Shared_Clean ?? 0) + (fields.Private_Clean ?? 0);
      const dirty = (fields.Shared_Dirty ?? 0) + (fields.Private_Dirty ?? 0);
      if (region === "") {
        privateKb += fields.Rss ?? 0;
      } else {
        privateKb += dirty;
        cleanFileKb.set(region, Math.max(cleanFileKb.get(region) ?? 0, clean));
      }
    };
    for (const line of text.split("\n")) {
      const header = /^[0-9a-f]+-[0-9a-f]+ \S+ ([0-9a-f]+) (\S+) (\d+)\s*(.*)$/.exec(line);
      if (header) {
        flush();
        const [, offset, device, inode] = header;
        // Anonymous memory (inode 0: heaps, stacks, [vdso]) belongs to its process alone.
        region = inode === "0" ? "" : `${device}:${inode}:${offset}`;
        fields = {};
        continue;
      }
      const field = /^(\w+):\s+(\d+) kB$/.exec(line);
      if (field) fields[field[1]!] = Number(field[2]);
    }
    flush();
  }
  let total = privateKb;
  for (const kb of cleanFileKb.values()) total += kb;
  return total * 1024;
}

/**
 * SIGKILLs the root's process group (kernels are started under setsid, so the
 * group is theirs alone) and every descendant found, including any that left
 * the group.
 */
export function killTree(root: number): void {
  const tree = processTree(root);
  const stat = readStat(root);
  if (stat && stat.pgrp === root) {
    try {
      process.kill(-root, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const pid of tree.reverse()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Each process of the tree with its command line (shortened) and VmRSS, largest first. */
export function treeBreakdown(root: number): { pid: number; command: string; bytes: number }[] {
  return processTree(root)
    .map((pid) => {
      let command = "?";
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
        command = argv
          .slice(0, 3)
          .map((arg) => (arg.includes("/") ? arg.slice(arg.lastIndexOf("/") + 1) : arg))
          .join(" ");
      } catch {
        // gone
      }
      return { pid, command, bytes: vmRssBytes(pid) };
    })
    .sort((a, b) => b.bytes - a.bytes);
}
