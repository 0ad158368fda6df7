// What the watchdog and the runtime's main thread share about an interrupt that found the main
// thread blocked in a child process (execSync, spawnSync) and stopped it by SIGINT to the child.
//
// The child's death lets execSync return and throw "Command failed" at once, and the cell may end
// with that error before the watchdog's "interrupt" message is read: the cell must still end with
// KeyboardInterrupt, and the watchdog must not terminate JavaScript that no longer is the cell's
// (the next cell's, or the runtime's own). Messages between the threads cannot order this; memory
// both read with Atomics can: the watchdog writes before it signals the child, the main thread
// claims the interrupt as the cell ends, and the watchdog, seeing it claimed, terminates nothing.

const SEQ = 0;
const AT = 1;
const CLAIMED = 2;

export class ChildInterrupts {
  private readonly cells: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(3 * BigInt64Array.BYTES_PER_ELEMENT)) {
    this.cells = new BigInt64Array(buffer);
  }

  /** Watchdog: interrupt `seq`, asked for at `at`, is about to signal the main thread's children. */
  record(seq: number, at: number): void {
    Atomics.store(this.cells, AT, BigInt(at));
    Atomics.store(this.cells, SEQ, BigInt(seq));
  }

  /**
   * Main thread, as a cell that started at `startedAt` ends: whether an interrupt asked for while it
   * ran stopped its children and is now its own (each interrupt is claimed once).
   */
  claim(startedAt: number): boolean {
    const seq = Atomics.load(this.cells, SEQ);
    if (seq <= Atomics.load(this.cells, CLAIMED) || Number(Atomics.load(this.cells, AT)) < startedAt) return false;
    Atomics.store(this.cells, CLAIMED, seq);
    return true;
  }

  /** Either thread: whether interrupt `seq` was claimed by the cell it stopped. */
  claimed(seq: number): boolean {
    return Atomics.load(this.cells, CLAIMED) >= BigInt(seq);
  }
}
