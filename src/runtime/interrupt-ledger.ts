// What the watchdog and the runtime's main thread know of each interrupt, in memory both read with
// Atomics: messages between the threads arrive when the receiver gets to them, and cannot tell
// which of two things happened first.
//
// Answered or given up: the main thread answers an interrupt when it reads its message; the
// watchdog gives up waiting ASK_FIRST_MS after sending it, and then stops what holds the main
// thread. Each writes its mark before it reads the other's, so the two never both miss each other:
// an interrupt the main thread answered in time stopped nothing, and one it had not answered was
// the watchdog's to carry out.
//
// Claimed: an interrupt that found the main thread waiting for a child process (execSync,
// spawnSync) stops the child by SIGINT. The child's death lets execSync return and throw "Command
// failed" at once, and the cell may end with that error before the interrupt's message is read:
// the watchdog records the interrupt before it signals, the cell claims it as it ends (and ends
// with KeyboardInterrupt), and the watchdog, seeing it claimed, terminates nothing.

const ANSWERED = 0;
const GIVEN_UP = 1;
const RECORDED = 2;
const RECORDED_AT = 3;
const CLAIMED = 4;
const SLOTS = 5;

export class InterruptLedger {
  private readonly slots: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(SLOTS * BigInt64Array.BYTES_PER_ELEMENT)) {
    this.slots = new BigInt64Array(buffer);
  }

  /** Main thread, reading interrupt `seq`'s message: whether it did so before the watchdog gave up on it (nothing was stopped). */
  answer(seq: number): boolean {
    Atomics.store(this.slots, ANSWERED, BigInt(seq));
    return Atomics.load(this.slots, GIVEN_UP) < BigInt(seq);
  }

  /** Watchdog, its wait over: whether interrupt `seq` is still unanswered (what holds the main thread is to be stopped). */
  giveUp(seq: number): boolean {
    Atomics.store(this.slots, GIVEN_UP, BigInt(seq));
    return !this.answered(seq);
  }

  answered(seq: number): boolean {
    return Atomics.load(this.slots, ANSWERED) >= BigInt(seq);
  }

  /** Watchdog: interrupt `seq`, asked for at `at`, is about to signal the main thread's children. */
  record(seq: number, at: number): void {
    Atomics.store(this.slots, RECORDED_AT, BigInt(at));
    Atomics.store(this.slots, RECORDED, BigInt(seq));
  }

  /**
   * Main thread, as a cell that started at `startedAt` ends: whether an interrupt asked for while it
   * ran stopped its children and is now its own (each interrupt is claimed once).
   */
  claim(startedAt: number): boolean {
    const seq = Atomics.load(this.slots, RECORDED);
    if (seq <= Atomics.load(this.slots, CLAIMED) || Number(Atomics.load(this.slots, RECORDED_AT)) < startedAt) return false;
    Atomics.store(this.slots, CLAIMED, seq);
    return true;
  }

  /** Whether interrupt `seq` was claimed by the cell it stopped. */
  claimed(seq: number): boolean {
    return Atomics.load(this.slots, CLAIMED) >= BigInt(seq);
  }
}
