"""jupyter_kernel_test's protocol checks, filled in for ephemeron (TypeScript).

Run by test/clients/kernel-test.test.ts with Debian's /usr/bin/python3:

    EPHEMERON_KERNEL_NAME=<name> JUPYTER_PATH=<prefix>/share/jupyter \
        /usr/bin/python3 -m unittest -v test/clients/kernel_test_ephemeron.py

The kernelspec named by EPHEMERON_KERNEL_NAME (default: ephemeron) must be
installed where JUPYTER_PATH points.
"""

import os
import unittest

import jupyter_kernel_test


class EphemeronKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("EPHEMERON_KERNEL_NAME", "ephemeron")

    # kernel_info
    language_name = "typescript"
    file_extension = ".ts"

    # execute: streams
    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'

    # IPython's help syntax: the signature and documentation go to the pager as a payload
    code_page_something = "Math.max?"

    # complete_request: matches are member names, replacing from cursor_start
    completion_samples = [
        {"text": "Math.flo", "matches": {"floor"}},
        {"text": "Math.ab", "matches": {"abs"}},
    ]

    # is_complete_request
    complete_code_samples = ["1 + 1", "const x: number = 1;", "function f() {\n  return 1;\n}"]
    incomplete_code_samples = ["function f() {", "const xs = [1,", "if (true) {\n  console.log(1);"]
    # invalid: brackets that no further input can balance
    invalid_code_samples = [")", "foo())", "(]", "const = 1", "let 2x = 3;"]

    # execute: error and result
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"ab" + "c"', "result": "'abc'"},
        {"code": "[1, 2, 3].map((n) => n * 2)", "result": "[ 2, 4, 6 ]"},
    ]

    # display_data / clear_output from the runtime's display API
    code_display_data = [
        {"code": "display.html('<b>hi</b>')", "mime": "text/html"},
        {"code": "display.markdown('*hi*')", "mime": "text/markdown"},
    ]
    code_clear_output = "clearOutput()"

    # history_request: the pattern matches the "6 * 7" sample above
    code_history_pattern = "6*"
    supported_history_operations = ("tail", "range", "search")

    # inspect_request
    code_inspect_sample = "Math.max"


if __name__ == "__main__":
    unittest.main()
