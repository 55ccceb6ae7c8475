#!/usr/bin/env python3
"""The examples of README and man/ptwalk.1, run against the committed testdata.

An example is a command line `$ ...` that runs ptwalk on a file under
testdata/ (a pipeline is fine), followed by the output it shows: in README, the lines indented by
four spaces after `    $ ptwalk ...` up to a blank line; in the man page,
the lines after `$ ptwalk ...` inside .nf/.fi up to .fi. A trailing comment
`# NAME` names a symbol of the case's truth.json: the first 0x address of
the line is that symbol's (so that examples follow the dumps when they are
remade).

    examples.py check SRCDIR BUILDDIR    run each example, compare with the text shown (TAP lines)
    examples.py update SRCDIR BUILDDIR   rewrite the shown outputs (and symbol addresses) from
                                         the current testdata: what tests/cli/update-examples.sh runs

Commands run in a scratch directory holding a link to SRCDIR/testdata, with
the built ptwalk first in PATH; what they print on stdout and stderr is shown
and compared, as a terminal would show it.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

FILES = ("README", "man/ptwalk.1")
CASE_RE = re.compile(r"testdata/([^/\s]+)/")
SYMBOL_RE = re.compile(r"\s#\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]+")


def roff_unescape(s):
    s = s.replace("\\&", "").replace("\\-", "-").replace("\\(aq", "'").replace("\\e", "\\")
    return s


def roff_escape(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    if s.startswith((".", "'")):
        s = "\\&" + s
    return s


class Example:
    def __init__(self, path, line_no, command, shown, first_out, end_out):
        self.path = path
        self.line_no = line_no      # index of the command line
        self.command = command      # unescaped, without "$ "
        self.shown = shown          # unescaped output lines
        self.first_out = first_out  # index range of the output lines
        self.end_out = end_out


def find_examples(path, lines):
    man = path.endswith(".1")
    out = []
    in_nf = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if man:
            if line.startswith(".nf"):
                in_nf = True
            elif line.startswith(".fi"):
                in_nf = False
            is_cmd = in_nf and line.startswith("$ ") and "ptwalk " in line
            text = roff_unescape(line[2:]) if is_cmd else None
        else:
            is_cmd = line.startswith("    $ ") and "ptwalk " in line
            text = line[6:] if is_cmd else None
        if not is_cmd or not CASE_RE.search(text):
            i += 1
            continue
        j = i + 1
        shown = []
        while j < len(lines):
            l = lines[j]
            if man:
                if l.startswith(".fi") or l.startswith("$ "):
                    break
                shown.append(roff_unescape(l))
            else:
                if not l.startswith("    ") or l.startswith("    $ "):
                    break
                shown.append(l[4:])
            j += 1
        out.append(Example(path, i, text, shown, i + 1, j))
        i = j
    return out


def run(srcdir, builddir, command):
    """Run as a user would see it: stdout and stderr together, in a scratch
    directory where testdata/ is the source tree's (files an example writes,
    such as gcore's core, land there and go away)."""
    env = dict(os.environ)
    env["PATH"] = os.path.abspath(builddir) + os.pathsep + env.get("PATH", "")
    env["LC_ALL"] = "C"
    with tempfile.TemporaryDirectory(prefix="ptw-example.") as scratch:
        os.symlink(os.path.join(os.path.abspath(srcdir), "testdata"), os.path.join(scratch, "testdata"))
        p = subprocess.run(["sh", "-c", command], cwd=scratch, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace").splitlines(), ""


def with_current_symbol(srcdir, command):
    m = SYMBOL_RE.search(command)
    case = CASE_RE.search(command)
    if not m or not case:
        return command
    truth = os.path.join(srcdir, "testdata", case.group(1), "truth.json")
    with open(truth) as f:
        value = json.load(f).get("symbols", {}).get(m.group(1))
    if not value:
        sys.exit("%s: no symbol %s in %s" % (command, m.group(1), truth))
    return ADDRESS_RE.sub(value, command, count=1)


def check(srcdir, builddir):
    passed = failed = 0
    for rel in FILES:
        with open(os.path.join(srcdir, rel)) as f:
            lines = f.read().split("\n")
        examples = find_examples(rel, lines)
        if not examples:
            print("not ok - %s: no examples found" % rel)
            failed += 1
        for ex in examples:
            what = "%s:%d: %s" % (rel, ex.line_no + 1, ex.command)
            rc, got, err = run(srcdir, builddir, ex.command)
            if got == ex.shown:
                print("ok - %s" % what)
                passed += 1
                continue
            failed += 1
            print("not ok - %s (exit %d)" % (what, rc))
            for k in range(max(len(got), len(ex.shown))):
                a = ex.shown[k] if k < len(ex.shown) else "<nothing>"
                b = got[k] if k < len(got) else "<nothing>"
                if a != b:
                    print("#   line %d shown: %s" % (k + 1, a))
                    print("#   line %d now:   %s" % (k + 1, b))
                    break
            for l in err.splitlines()[:3]:
                print("#   stderr: %s" % l)
    print("# %d passed, %d failed" % (passed, failed))
    return failed == 0


def update(srcdir, builddir):
    for rel in FILES:
        path = os.path.join(srcdir, rel)
        with open(path) as f:
            lines = f.read().split("\n")
        man = rel.endswith(".1")
        # last first, so that earlier indexes stay right
        for ex in reversed(find_examples(rel, lines)):
            command = with_current_symbol(srcdir, ex.command)
            rc, got, err = run(srcdir, builddir, command)
            if any(not l.strip() for l in got):
                sys.exit("%s: %s: output has a blank line; pick another example" % (rel, command))
            if rc != 0 and not got:
                sys.exit("%s: %s: no output (exit %d): %s" % (rel, command, rc, err.strip()))
            if man:
                lines[ex.line_no] = "$ " + roff_escape(command)
                new = [roff_escape(l) for l in got]
            else:
                lines[ex.line_no] = "    $ " + command
                new = ["    " + l for l in got]
            lines[ex.first_out:ex.end_out] = new
            print("%s: %s: %d lines" % (rel, command, len(got)))
        with open(path, "w") as f:
            f.write("\n".join(lines))
    return True


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("check", "update"):
        sys.exit(__doc__)
    srcdir, builddir = sys.argv[2], sys.argv[3]
    ok = check(srcdir, builddir) if sys.argv[1] == "check" else update(srcdir, builddir)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
