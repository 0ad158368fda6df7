// Processes as Linux's /proc shows them: a process's parent and group, and a
// process with all its descendants. The runtime's watchdog signals the
// runtime's descendants on a hard interrupt; the kernel ends them with the
// runtime; the benchmark measures and kills kernels' whole trees.

import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** When it started (clock ticks since boot): with the pid, which process this is, should the pid be reused. */
  startTime: number;
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself hold spaces or ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), startTime: Number(fields[19]) };
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

/** The root pid and all its descendants that are alive now, parents before children (empty without /proc). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let processes: ProcStat[];
  try {
    processes = allProcesses();
  } catch {
    return [];
  }
  for (const { pid, ppid } of processes) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  if (!readStat(root)) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}
