// A kernel's whole process tree, read from /proc: its resident memory (the sum
// of VmRSS over the kernel and every descendant) and killing all of it.

import { readdirSync, readFileSync } from "node:fs";

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself hold spaces or ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** The root pid and all its descendants that are alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of allProcesses()) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  if (!readStat(root)) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

function vmRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface TreeMemory {
  bytes: number;
  processes: number;
}

export function treeRss(root: number): TreeMemory {
  const tree = processTree(root);
  return { bytes: tree.reduce((sum, pid) => sum + vmRssBytes(pid), 0), processes: tree.length };
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
