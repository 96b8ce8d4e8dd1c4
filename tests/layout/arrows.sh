#!/usr/bin/env bash
# arrows.sh - the include paths CMake gives each module keep the arrows
# cli -> {parser, sim, analysis, report, host, ipset} -> model: for one source file of each
# directory, taken from compile_commands.json with its own -I flags, the
# headers it may use are found and those against the arrows are not (a
# module's *_int.h outside it, model_build.h outside model/ and parser/,
# a higher module's header below it). Needs python3 and the build's
# compile_commands.json (next to IPTSIM).
#
#   arrows.sh IPTSIM SRCDIR [SHAREDDIR]
set -euo pipefail

iptsim=$1
srcdir=$2
if ! command -v python3 > /dev/null; then
	echo "SKIP: python3 is not installed"
	exit 77
fi

python3 - "$(dirname "$iptsim")/compile_commands.json" "$srcdir" <<'PY'
import json, os, shlex, subprocess, sys

db, src = sys.argv[1], os.path.realpath(sys.argv[2])
PUBLIC = ["model.h", "arena.h", "diag.h", "blob.h", "parser.h", "sim.h",
          "lint.h", "probe.h", "host.h", "report.h", "sarif.h", "escape.h",
          "json.h", "dot.h", "ipset.h"]
INTERNAL = ["model_build.h", "validate_int.h", "parser_int.h", "sim_int.h",
            "walk_int.h", "match_int.h", "lint_int.h", "host_int.h",
            "ipset_int.h"]
# directory: the headers it may include (every other one must not be found)
MAY = {
    "model": ["model.h", "arena.h", "diag.h", "blob.h", "model_build.h",
              "validate_int.h"],
    "parser": ["model.h", "arena.h", "diag.h", "blob.h", "model_build.h",
               "parser.h", "parser_int.h"],
    # sim walks the described host's paths: host.h, through what it links
    "sim": ["model.h", "arena.h", "diag.h", "blob.h", "sim.h", "sim_int.h",
            "walk_int.h", "match_int.h", "host.h", "ipset.h"],
    "analysis": ["model.h", "arena.h", "diag.h", "blob.h", "sim.h",
                 "lint.h", "probe.h", "lint_int.h", "host.h", "ipset.h"],
    # lint.h (and what it includes) for SARIF's table of lint codes
    "report": ["model.h", "arena.h", "diag.h", "blob.h", "sim.h", "lint.h",
               "probe.h", "report.h", "sarif.h", "escape.h", "json.h",
               "host.h", "dot.h", "ipset.h"],
    # host: the described host, on the model's diagnostics only
    "host": ["model.h", "arena.h", "diag.h", "blob.h", "host.h",
             "host_int.h"],
    # ipset: the firewall host's sets, on the model's diagnostics only
    "ipset": ["model.h", "arena.h", "diag.h", "blob.h", "ipset.h",
              "ipset_int.h"],
    "cli": PUBLIC,
}

with open(db) as f:
    cmds = json.load(f)
fail = 0
for d, may in MAY.items():
    entry = next((c for c in cmds
                  if os.path.realpath(c["file"]).startswith(
                      os.path.join(src, d) + os.sep)), None)
    if entry is None:
        print(f"FAIL: no compile command for {d}/")
        fail = 1
        continue
    words = shlex.split(entry["command"])
    flags = [w for w in words[1:] if w.startswith(("-I", "-D"))]
    bad = 0
    for h in PUBLIC + INTERNAL:
        r = subprocess.run([words[0], "-fsyntax-only", "-E", *flags,
                            "-x", "c", "-"], input=f'#include "{h}"\n',
                           cwd=entry["directory"], capture_output=True,
                           text=True)
        found = r.returncode == 0
        if found != (h in may):
            print(f"FAIL: {d}/ {'finds' if found else 'cannot find'} {h}")
            bad = fail = 1
    if not bad:
        print(f"ok   {d}/")
sys.exit(fail)
PY
