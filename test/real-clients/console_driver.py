"""Drives Debian's `jupyter console` (its prompt_toolkit interface: the
simple prompt cannot take multi-line input) with pexpect against the
kernel named in argv[1], as a person at a terminal would: a class typed line
by line, held until complete, then run; an `await input()` answered at the
console's prompt; Ctrl-D to leave. Prints one JSON object with what the console showed.
Ctrl-D where a cell reads stdin ends it, as end of file."""

import json
import os
import time
import re
import sys

import pexpect

kernel = sys.argv[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
child = pexpect.spawn(
    sys.executable,
    ["-m", "jupyter_console", "--kernel", kernel, "--ZMQTerminalInteractiveShell.kernel_timeout=60",
     # Ctrl-D at an empty prompt leaves without asking.
     "--no-confirm-exit"],
    env={**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
    encoding="utf-8",
    timeout=60,
    dimensions=(40, 200),
)
result = {}


class SessionStuck(Exception):
    """A step left the console waiting for good; what it saw is in the result already."""


def clean(text):
    return ANSI.sub("", text).replace("\r", "")


def prompt(n, timeout=-1):
    child.expect(r"In \[(\x1b\[[0-9;]*m)*%d(\x1b\[[0-9;]*m)*\]: " % n, timeout=timeout)
    return clean(child.before)


def type_line(text):
    """Types a line, waits until the console has echoed it and gone quiet,
    then presses Enter.

    jupyter-console 6.4.4's Enter handler waits for the kernel's
    is_complete_reply in a nested event loop (jupyter_client's run_sync with
    nest_asyncio). If more keys arrive meanwhile, that nested loop runs
    prompt_toolkit's stdin reader again while its first run is still on the
    stack: "cannot enter context ... already entered", "Press ENTER to
    continue...", and from then on a blank line ends the input. A driver that
    sends the next line as soon as it sees "...:" in a redraw of an earlier
    line does exactly that. So: forget everything read so far, wait for the
    echo, and only then press Enter; the caller then waits for what the
    console prints after the handler has returned."""
    child.buffer = ""
    child.send(text)
    want = re.sub(r"\s", "", text)[-12:]
    seen = ""
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            seen += child.read_nonblocking(65536, timeout=0.3)
        except pexpect.TIMEOUT:
            if want in re.sub(r"\s", "", clean(seen)):
                break
    child.send("\r")


def settle(quiet=0.8):
    """Reads until the console has printed nothing for `quiet` seconds. A
    continuation prompt can show in a redraw before the Enter handler has
    returned (it waits for the kernel's is_complete_reply); on a loaded machine
    that wait is long enough for the next line's keys to land inside it."""
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            child.read_nonblocking(65536, timeout=quiet)
        except pexpect.TIMEOUT:
            return


try:
    prompt(1)
    # jupyter_client's wait_for_ready may leave extra kernel_info replies on
    # shell when the kernel starts slowly; the console's is_complete check then
    # reads a stale reply and runs an incomplete line. A first cell drains them.
    type_line("1 + 1")
    result["first"] = prompt(2)
    lines = [
        "class Counter {",
        "  count = 0;",
        "  increment(): number {",
        "    return ++this.count;",
        "  }",
        "}",
    ]
    continuations = 0
    for i, line in enumerate(lines):
        type_line(line.strip())
        if i < len(lines) - 1:
            # Incomplete so far: the console asks for the next line, nothing runs.
            child.expect(r"\.\.\.:")
            settle()
            continuations += 1
    result["continuations"] = continuations
    # Complete now: it ran (no output) and the next prompt comes.
    result["class"] = prompt(3)
    type_line("const c = new Counter(); c.increment(); c.increment()")
    result["counter"] = prompt(4)
    type_line('const who = await input("Your name? "); `hello ${who}`')
    child.expect("Your name\\? ")
    child.sendline("Ada")
    try:
        result["input"] = prompt(5, timeout=20)
    except pexpect.TIMEOUT:
        # The answer went unheard: Ctrl-C interrupts the waiting cell so the
        # session can go on (and shows what the kernel made of it).
        result["input"] = clean(child.before)
        result["input_error"] = "no prompt within 20 s after answering input()"
        child.sendcontrol("c")
        prompt(5)
    # Ctrl-D where a cell reads stdin is end of file, as in a terminal (the console sends "\x04",
    # ipykernel's mark for it): two lines, then Ctrl-D, end the cell's `for await`.
    type_line('import * as readline from "node:readline"; let lines = 0; for await (const line of readline.createInterface({ input: process.stdin })) lines++; `read ${lines} lines`')
    for answer in ["first", "second"]:
        time.sleep(1.5)
        child.sendline(answer)
    time.sleep(1.5)
    child.sendcontrol("d")
    try:
        result["eof_lines"] = prompt(6, timeout=20)
        type_line('await input("Anything? ")')
        # The prompt input() printed, not the echo of the typed line (where a quote comes before it);
        # and a moment for the console to be reading the terminal, else Ctrl-D lands in no read.
        child.expect(r'[^"]Anything\? ')
        time.sleep(1)
        child.sendcontrol("d")
        result["eof_input"] = prompt(7, timeout=20)
    except pexpect.TIMEOUT:
        # The cell still reads, and this console's Ctrl-C cannot interrupt it (jupyter-console
        # 6.4.4 loses its SIGINT handler to prompt_toolkit): the session ends here.
        result["eof_error"] = f"no prompt within 20 s after Ctrl-D: {clean(child.before)[-500:]}"
        raise SessionStuck()
    # Ctrl-D at an empty prompt: the console shuts the kernel down and exits.
    child.sendcontrol("d")
    child.expect(pexpect.EOF, timeout=20)
    result["exited"] = True
except SessionStuck:
    pass
except Exception as error:  # report, do not hide: the test prints it
    result["error"] = f"{type(error).__name__}: {error}"
    result["tail"] = clean(str(child.before))[-2000:]
finally:
    if child.isalive():
        child.terminate(force=True)
print(json.dumps(result))
