#!/bin/bash
# `ptwalk maps --json` on every real sample dump: the kernel's table and each
# test process's table cover every gva2gpa fact QEMU recorded, with its PA.
exec python3 "${top_srcdir:-.}/tests/truth.py" maps
