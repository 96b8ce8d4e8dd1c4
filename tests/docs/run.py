#!/usr/bin/env python3
"""run.py - every example of README.md and doc/iptsim.1 run, so that none rots.

    run.py IPTSIM SRCDIR

Each `$ COMMAND` line in a code block of README.md (fenced or indented) and
in an .EX block of the man page runs with `bash -c` in a scratch directory
holding rulesets/ and the files of doc/examples/, with IPTSIM first on PATH.
The lines after it, up to the next `$` line or the block's end, are the
output the document shows: each must match the next line printed (stdout,
then stderr), where `...` inside a line stands for any text and a line that
is only `...` for any number of lines. With no output shown, the command must
exit 0, 1 or 3 (never a usage error or a crash). Lines starting with `#` in
the man page are commands for root on a real host: not run.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def readme_examples(text):
    """(line number, command, shown output lines) of README.md."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        fenced = line.startswith("```")
        indented = line.startswith("    $ ")
        if not fenced and not indented:
            i += 1
            continue
        block = []
        if fenced:
            i += 1
            start = i
            while i < len(lines) and not lines[i].startswith("```"):
                block.append((i + 1, lines[i]))
                i += 1
            i += 1
        else:
            while i < len(lines) and (lines[i].startswith("    ") or
                                      lines[i] == ""):
                block.append((i + 1, lines[i][4:]))
                i += 1
            while block and block[-1][1] == "":
                block.pop()
        out.extend(split_block(block))
    return out


def split_block(block):
    res = []
    cur = None
    for num, line in block:
        if line.startswith("$ "):
            if cur:
                res.append(cur)
            cur = (num, line[2:], [])
        elif cur:
            cur[2].append(line)
    if cur:
        res.append(cur)
    return res


def roff_text(line):
    line = line.replace("\\-", "-").replace("\\(aq", "'").replace("\\e", "\\")
    return line


def man_examples(text):
    out = []
    lines = text.split("\n")
    inside = False
    cmd = None
    for num, line in enumerate(lines, 1):
        if line.startswith(".EX"):
            inside = True
            continue
        if line.startswith(".EE"):
            inside = False
            continue
        if not inside:
            continue
        line = roff_text(line)
        if cmd is not None:
            cmd = (cmd[0], cmd[1] + " " + line.strip(), [])
        elif line.startswith("$ "):
            cmd = (num, line[2:], [])
        else:
            continue
        if cmd[1].endswith("\\"):
            cmd = (cmd[0], cmd[1][:-1].rstrip(), [])
            continue
        out.append(cmd)
        cmd = None
    return out


def matches(shown, got):
    """Do the shown lines match the printed ones?"""
    def line_re(s):
        parts = [re.escape(p) for p in s.split("...")]
        return re.compile("^" + ".*".join(parts) + "$")

    def rec(i, j):
        if i == len(shown):
            return j == len(got)
        if shown[i].strip() == "...":
            return any(rec(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and line_re(shown[i]).match(got[j]) is not None \
            and rec(i + 1, j + 1)

    return rec(0, 0)


def main():
    iptsim, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="iptsim-docs.")
    try:
        shutil.copytree(os.path.join(src, "rulesets"),
                        os.path.join(work, "rulesets"))
        ex = os.path.join(src, "doc", "examples")
        for name in os.listdir(ex):
            shutil.copy(os.path.join(ex, name), work)
        bindir = os.path.join(work, ".bin")
        os.mkdir(bindir)
        os.symlink(iptsim, os.path.join(bindir, "iptsim"))
        env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"],
                   NO_COLOR="1")
        env.pop("POSIXLY_CORRECT", None)
        cases = []
        with open(os.path.join(src, "README.md"), encoding="utf-8") as f:
            cases += [("README.md",) + c for c in readme_examples(f.read())]
        with open(os.path.join(src, "doc", "iptsim.1"), encoding="utf-8") as f:
            cases += [("iptsim.1",) + c for c in man_examples(f.read())]
        passed = failed = 0
        for doc, num, cmd, shown in cases:
            p = subprocess.run(["bash", "-c", cmd], cwd=work, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=60)
            got = (p.stdout + p.stderr).decode("utf-8", "replace")
            got = got.split("\n")
            if got and got[-1] == "":
                got.pop()
            if shown:
                ok = matches(shown, got)
            else:
                ok = p.returncode in (0, 1, 3)
            if ok:
                passed += 1
                print(f"ok   {doc}:{num}: {cmd}")
            else:
                failed += 1
                print(f"FAIL {doc}:{num}: {cmd} (exit {p.returncode})")
                print("  shown:\n    " + "\n    ".join(shown or ["(none)"]))
                print("  printed:\n    " + "\n    ".join(got[:30]))
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())
