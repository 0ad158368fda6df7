"""Drives Debian's `jupyter console --simple-prompt` with pexpect against the kernel named in
argv[1]: Ctrl-C while `while (true) {}` runs, then a cell that reads a variable set before it.
The simple prompt, because Debian's jupyter-console 6.4.4 in its default prompt_toolkit mode
loses its Ctrl-C handler after the first prompt (prompt_toolkit restores Python's default one
when it leaves a prompt), so Ctrl-C there interrupts no kernel, ipykernel included. Prints one
JSON object with what the console showed."""

import json
import os
import re
import sys
import time

import pexpect

kernel = sys.argv[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
child = pexpect.spawn(
    sys.executable,
    ["-m", "jupyter_console", "--kernel", kernel, "--simple-prompt", "--no-confirm-exit", "--ZMQTerminalInteractiveShell.kernel_timeout=60"],
    env={**os.environ, "TERM": "xterm"},
    encoding="utf-8",
    timeout=60,
    dimensions=(40, 200),
)
result = {}


def prompt(n, timeout=-1):
    child.expect(r"In \[%d\]: " % n, timeout=timeout)
    return ANSI.sub("", child.before).replace("\r", "")


try:
    prompt(1)
    child.sendline("let n = 1")
    prompt(2)
    child.sendline("while (true) { n++ }")
    # The cell is running once the console waits on it; give it a moment to be in the loop.
    time.sleep(2)
    started = time.time()
    child.sendcontrol("c")
    result["interrupted"] = prompt(3, timeout=20)
    result["seconds"] = round(time.time() - started, 2)
    child.sendline("n > 1")
    result["after"] = prompt(4, timeout=20)
    child.sendcontrol("d")
    child.expect(pexpect.EOF, timeout=20)
    result["exited"] = True
except Exception as error:  # report, do not hide: the test prints it
    result["error"] = f"{type(error).__name__}: {error}"[:300]
    result["tail"] = ANSI.sub("", str(child.before))[-1500:]
finally:
    if child.isalive():
        child.terminate(force=True)
print(json.dumps(result))
