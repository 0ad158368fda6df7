// The shape of one benchmark run's results: what docs/benchmarks.json holds.

import type { ColdStartResult } from "./cold-start.js";
import type { CompleteResult } from "./complete.js";
import type { GcResult } from "./gc.js";
import type { MemoryResult } from "./memory.js";
import type { NbconvertResult } from "./nbconvert.js";
import type { FloodResult } from "./output-flood.js";
import type { RoundTripResult } from "./round-trip.js";
import type { StartupBreakdown } from "./startup-breakdown.js";
import type { TargetCheck } from "./targets.js";
import type { TypecheckResult } from "./typecheck.js";
import type { TopLevelLoopResult } from "./top-level-loop.js";
import type { ImportCellsResult } from "./import-cells.js";

export interface BenchResults {
  meta: {
    date: string;
    command: string;
    durationS?: number;
    machine: { cpus: number; cpuModel: string; memoryGB: number; node: string; os: string; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
    kernels: { id: string; label: string; version: string; argv: string[]; peer: boolean; typechecks: boolean }[];
    missing: { id: string; how: string }[];
    settings: Record<string, number>;
    incomplete?: string;
  };
  coldStart?: Record<string, ColdStartResult>;
  roundTrip?: Record<string, RoundTripResult>;
  complete?: Record<string, CompleteResult>;
  topLevelLoop?: Record<string, TopLevelLoopResult>;
  importCells?: Record<string, ImportCellsResult>;
  flood?: Record<string, FloodResult>;
  typecheck?: TypecheckResult;
  memory?: Record<string, MemoryResult>;
  gc?: GcResult;
  startup?: StartupBreakdown;
  nbconvert?: Record<string, NbconvertResult>;
  errors: string[];
  targets?: TargetCheck[];
}
