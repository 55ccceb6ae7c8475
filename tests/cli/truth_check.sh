#!/bin/bash
# `ptwalk check` on every real sample dump: clean, or each finding explained
# in tests/truth.py (EXPLAINED_FINDINGS).
exec python3 "${top_srcdir:-.}/tests/truth.py" check
