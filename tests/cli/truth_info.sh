#!/bin/bash
# `ptwalk info --json` on every real sample dump against its truth file.
exec python3 "${top_srcdir:-.}/tests/truth.py" info
