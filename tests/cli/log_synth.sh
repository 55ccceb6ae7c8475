#!/bin/bash
# `ptwalk log` on synthetic printk buffers (tests/cli/log_synth.py replays the
# kernel's ring-buffer writer into a dump made by tests/mkdump): the records
# the ring still holds, exactly; and for each corruption (a descriptor whose
# text lies outside the ring or spans several wraps, a text block stamped
# with another descriptor's id, a sequence number the slot cannot hold, a
# text_len beyond its block, a broken log_buf record) one warning naming the
# record, and every other record still printed; an impossible ring header is
# exit 1.
. "${top_srcdir:-.}/tests/cli/lib.sh"
MKDUMP="$top_builddir/tests/mkdump"
BASE="$top_srcdir/tests/specs/x86_64-4l.spec"
GEN="$top_srcdir/tests/cli/log_synth.py"

if [ ! -x "$MKDUMP" ]; then echo "# SKIP: $MKDUMP not built"; exit 77; fi

# run_case KIND VARIANT: build the dump, run log, compare
run_case() {
	local kind=$1 variant=$2 what="$1/$2"
	python3 "$GEN" "$kind" "$variant" "$WORK/$kind.$variant.spec" "$WORK/expect" ||
		{ not_ok "$what: generator failed"; return; }
	cat "$BASE" "$WORK/$kind.$variant.spec" >"$WORK/spec"
	"$MKDUMP" "$WORK/spec" "$WORK/dump" >"$WORK/mk.err" 2>&1 ||
		{ not_ok "$what: mkdump failed"; sed 's/^/#   /' "$WORK/mk.err" | head -5; return; }
	local want
	want=$(head -1 "$WORK/$kind.$variant.spec")
	"$PTWALK" log "$WORK/dump" >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	case $want in
	"# fail: "*)
		if [ $rc -eq 1 ] && grep -Eq -- "^ptwalk: [^ ]*: the kernel log: .*${want#\# fail: }" "$WORK/err"; then
			ok "$what: exit 1 naming the problem"
		else
			not_ok "$what: exit $rc, stderr:"; sed 's/^/#   /' "$WORK/err" | head -5
		fi
		return ;;
	"# warn: "*)
		if [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -Eq -- "^ptwalk: .*: warning: kernel log: ${want#\# warn: }" "$WORK/err"; then
			ok "$what: one warning naming the record"
		else
			not_ok "$what: wanted one warning /${want#\# warn: }/, got:"; sed 's/^/#   /' "$WORK/err" | head -5
		fi ;;
	*)
		if [ -s "$WORK/err" ]; then not_ok "$what: unexpected stderr"; sed 's/^/#   /' "$WORK/err" | head -5; fi ;;
	esac
	if [ $rc -eq 0 ] && cmp -s "$WORK/expect" "$WORK/out"; then
		ok "$what: exit 0, the $(wc -l <"$WORK/expect") expected lines exactly"
	else
		not_ok "$what: exit $rc, output differs"; diff "$WORK/expect" "$WORK/out" | sed 's/^/#   /' | head -20
	fi
}

for v in good outside badwrap blockid badseq textlen count unmapped; do run_case lockless $v; done
for v in good badlen caller; do run_case legacy $v; done

# JSON of the good lockless ring: caller ids, levels, the device dictionary,
# the empty record, the multi-line record
python3 "$GEN" lockless good "$WORK/s" "$WORK/expect" && cat "$BASE" "$WORK/s" >"$WORK/spec" &&
	"$MKDUMP" "$WORK/spec" "$WORK/dump" >/dev/null 2>&1
"$PTWALK" log "$WORK/dump" --json >"$WORK/json" 2>"$WORK/err"
if python3 - "$WORK/json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
by = {r["text"][:8]: r for r in recs}
assert [r["seq"] for r in recs] == list(range(4, 12)), [r["seq"] for r in recs]
assert by["pl061_gp"]["dict"] == {"SUBSYSTEM": "amba", "DEVICE": "+amba:9030000.pl061"}, by["pl061_gp"]
assert by["tab\there"]["caller"] == "T42" and by["tab\there"]["level"] == 3, by["tab\there"]
assert by["tab\there"]["text"] == "tab\there, escape \x1b[31m, bell \x07"
assert by["a record"]["text"] == "a record of three lines\n  second\n  third"
assert by[""]["text"] == "" and by[""]["ts_nsec"] == 1200000000
assert by["the last"]["level"] == 0 and by["the last"]["facility"] == 0
assert all(r["dict"] == {} for r in recs if not r["text"].startswith("pl061"))
PY
then ok "lockless/good --json: seq, level, caller, dict, raw text"; else not_ok "lockless/good --json"; fi
# log_buf of a CONFIG_PRINTK_CALLER kernel: caller ids (CPU at/4 by construction), no seq
python3 "$GEN" legacy caller "$WORK/s2" "$WORK/expect2" && cat "$BASE" "$WORK/s2" >"$WORK/spec2" &&
	"$MKDUMP" "$WORK/spec2" "$WORK/dump2" >/dev/null 2>&1
"$PTWALK" log "$WORK/dump2" --json >"$WORK/json2" 2>"$WORK/err"
if python3 - "$WORK/json2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["caller"] for r in recs] == ["C30", "C40", "C0", "C12"], [r["caller"] for r in recs]
assert all(r["seq"] is None for r in recs)
assert recs[1]["dict"] == {"SUBSYSTEM": "usb", "DEVICE": "c189:1"} and recs[2]["level"] == 4
PY
then ok "legacy/caller --json: caller ids, no seq, dict, level"; else not_ok "legacy/caller --json"; sed 's/^/#   /' "$WORK/json2"; fi
"$PTWALK" log "$WORK/dump" --level err >"$WORK/out" 2>&1
if [ "$(cut -c16- "$WORK/out")" = "$(printf 'tab\there, escape \\x1b[31m, bell \\x07\nthe last record')" ]; then
	ok "--level err keeps the records of level 0-3"; else not_ok "--level err"; sed 's/^/#   /' "$WORK/out"; fi
"$PTWALK" log "$WORK/dump" --caller >"$WORK/out" 2>&1
if grep -qx '\[    6.000000\]\[   T44\] the last record' "$WORK/out"; then
	ok "--caller prints [%6s] after the time"; else not_ok "--caller"; head -3 "$WORK/out" | sed 's/^/#   /'; fi
expect_exit 2 "--level 8 is a usage error" -- "$PTWALK" log "$WORK/dump" --level 8
# the log needs VMCOREINFO only: an option that would change nothing is refused
for opt in "-k $WORK/dump" "-m $WORK/dump" "--btf $WORK/dump"; do
	expect_exit 2 "log refuses ${opt%% *}" -- "$PTWALK" log "$WORK/dump" $opt
	expect_stderr "does not apply to log" "named"
done
finish
