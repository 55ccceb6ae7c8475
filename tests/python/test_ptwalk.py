"""The ptwalk Python module against the sample dumps' truth.json (recorded
from outside ptwalk: QEMU's gva2gpa and xp, the guest's /proc and kallsyms,
the kernel's config), through libptwalk's public API."""
import glob
import json
import os
import struct

import pytest

import ptwalk

TESTDATA = os.environ.get("TESTDATA") or os.path.join(os.path.dirname(__file__), "..", "..", "testdata")
DUMP = "vmcore.kdump-zlib.flat"  # every case has QEMU's kdump; ELF dumps are stored xz-compressed
CASES = sorted(os.path.basename(os.path.dirname(p))
               for p in glob.glob(os.path.join(TESTDATA, "*", "truth.json"))
               if os.path.exists(os.path.join(os.path.dirname(p), DUMP)))
PATTERN = 0x5054574B5054574B  # ptwtest's regions: the u64 at VA v is v ^ PATTERN


def truth(case):
    with open(os.path.join(TESTDATA, case, "truth.json")) as f:
        return json.load(f)


def dump(case):
    return ptwalk.open(os.path.join(TESTDATA, case, DUMP))


def num(text):
    return None if text is None else int(text, 16)


def user_root(proc):
    return num(proc.get("ttbr0") or proc.get("cr3"))


@pytest.mark.parametrize("case", CASES)
def test_info(case):
    t = truth(case)
    with dump(case) as d:
        info = d.info()
    assert info["arch"] == t["arch"]
    assert info["page_size"] == t["page_size"]
    assert info["osrelease"] == t["kernel"]["release"]
    assert info["format"] == "kdump-flattened"
    x = info["translation"]
    assert x is not None, info["translation_error"]
    assert (x["granule"], x["va_bits"], x["vabits_actual"], x["pa_bits"], x["levels"]) == \
        (t["page_size"], t["va_bits"], t["vabits_actual"], t["pa_bits"], t["levels"])
    if t.get("kaslr_offset") and x["kaslr_offset"] is not None:
        assert x["kaslr_offset"] == num(t["kaslr_offset"])


@pytest.mark.parametrize("case", CASES)
def test_translate_kernel_facts(case):
    facts = truth(case)["kernel_facts"]
    assert facts
    with dump(case) as d:
        for f in facts:
            got = d.translate(num(f["va"]))
            if f["pa"] is None:  # QEMU's gva2gpa: not mapped
                assert got["status"] != "ok", f
            else:
                assert (got["status"], got["pa"]) == ("ok", num(f["pa"])), f
                assert got["steps"] and got["steps"][0]["entry_pa"] >= got["table_base"]
        batch = d.translate_batch([num(f["va"]) for f in facts])
    assert batch == [num(f["pa"]) for f in facts]


@pytest.mark.parametrize("case", CASES)
def test_read_phys_samples(case):
    samples = truth(case)["memory_samples"]
    assert samples
    with dump(case) as d:
        for s in samples:
            want = bytes.fromhex(s["hex"])
            assert d.read(num(s["pa"]), len(want), phys=True) == want, s["pa"]


@pytest.mark.parametrize("case", CASES)
def test_read_kernel_release(case):
    t = truth(case)
    release = t["kernel"]["release"].encode()
    with dump(case) as d:
        banner = num(t["symbols"].get("linux_banner"))  # the guest's /proc/kallsyms
        if banner:
            assert d.read(banner, 200).startswith(b"Linux version " + release + b" ")
        # init_uts_ns.name, a struct new_utsname: sysname[65], nodename[65], release[65]
        vi = d.vmcoreinfo()
        name = int(vi["SYMBOL(init_uts_ns)"], 16) + int(vi["OFFSET(uts_namespace.name)"])
        uts = d.read(name, 3 * 65)
    assert uts[:6] == b"Linux\0"
    assert uts[130:130 + len(release) + 1] == release + b"\0"


@pytest.mark.parametrize("case", CASES)
def test_user_pattern(case):
    procs = [p for p in truth(case)["processes"] if p.get("regions") and user_root(p) is not None]
    assert procs
    with dump(case) as d:
        for p in procs:
            for r in p["regions"]:
                va = num(r["va"])
                words = struct.unpack("<8Q", d.read(va, 64, root=user_root(p)))
                assert words == tuple((va + 8 * i) ^ PATTERN for i in range(8)), (p["pid"], r["name"])
            for f in p.get("facts", [])[:50]:
                got = d.translate(num(f["va"]), root=user_root(p))
                assert got["pa"] == num(f["pa"]) and got["user"], f


@pytest.mark.parametrize("case", CASES)
def test_maps_cover_facts(case):
    facts = [f for f in truth(case)["kernel_facts"] if f["pa"] is not None]
    with dump(case) as d:
        ranges = d.maps()
    assert ranges
    starts = [r["start"] for r in ranges]
    assert starts == sorted(starts)
    for f in facts:
        va, pa = num(f["va"]), num(f["pa"])
        hit = [r for r in ranges if r["start"] <= va and (va < r["end"] or r["end"] == 0)]
        assert len(hit) == 1, f
        assert hit[0]["pa"] + (va - hit[0]["start"]) == pa, f


@pytest.mark.parametrize("case", CASES)
def test_tasks(case):
    t = truth(case)
    with dump(case) as d:
        tasks = {task["pid"]: task for task in d.tasks()}
        for p in t["processes"]:
            assert p["pid"] in tasks, p["pid"]
            assert tasks[p["pid"]]["comm"] == p["comm"]
            assert not tasks[p["pid"]]["kthread"]
            # the same pattern through the pid's own tree
            r = p["regions"][0]
            va = num(r["va"])
            assert struct.unpack("<Q", d.read(va, 8, pid=p["pid"]))[0] == va ^ PATTERN
        for listed in t.get("tasks") or []:
            # /proc shows a kernel thread's full name and a kworker's
            # "-description"; task_struct.comm holds 15 bytes of the first
            if listed["pid"] in tasks:
                comm = tasks[listed["pid"]]["comm"]
                assert comm and listed["comm"][:15].startswith(comm), (listed, comm)


def test_errors(tmp_path):
    not_a_dump = tmp_path / "text"
    not_a_dump.write_bytes(b"hello, world\n" * 100)
    with pytest.raises(ptwalk.Error) as e:
        ptwalk.open(str(not_a_dump))
    assert e.value.offset == 0 and e.value.code == 2  # PTWALK_E_BAD_DATA
    with pytest.raises(ptwalk.Error) as e:
        ptwalk.open(str(tmp_path / "missing"))
    assert e.value.code == 1  # PTWALK_E_OS
    if not CASES:
        pytest.skip("no sample dumps")
    t = truth(CASES[0])
    unmapped = [num(f["va"]) for f in t["kernel_facts"] if f["pa"] is None]
    d = dump(CASES[0])
    if unmapped:
        with pytest.raises(ptwalk.Error) as e:
            d.read(unmapped[0], 16)
        assert e.value.address == unmapped[0]
    with pytest.raises(ValueError):
        d.read(0, -1)
    d.close()
    with pytest.raises(ValueError):
        d.info()


def test_readme_example(monkeypatch):
    """The README's Python session, as doctest runs it, from the source tree."""
    import doctest
    top = os.path.dirname(os.path.abspath(TESTDATA))
    readme = os.path.join(top, "README")
    if not os.path.exists(os.path.join(top, "testdata", "arm64-64k52-a57", DUMP)):
        pytest.skip("no arm64-64k52-a57 sample dump")
    with open(readme) as f:
        text = f.read()
    test = doctest.DocTestParser().get_doctest(text, {}, "README", readme, 0)
    assert len(test.examples) >= 8
    monkeypatch.chdir(top)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
