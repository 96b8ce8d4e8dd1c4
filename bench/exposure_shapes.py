#!/usr/bin/env python3
"""
exposure_shapes.py - how many shapes the rows of `iptsim exposure --format
json` have on a kube-proxy-like save (bench/gen_kube.py): what a walk shared
among the rows of one shape could bring the simulations down to (shapes x
classes), beside the distinct answers the table holds.

A row's shape is a census, not a proof that two rows answer alike: the
rules of every table that name the row (its -d, or its --dport with no -d)
in the chains every row meets, then the chains they jump to that are the
service's own (KUBE-SVC-, KUBE-SEP-, KUBE-FW-, KUBE-XLB-, in the order
reached), each rule's words with comments left out, the chain names of
the service's own chains, the row's address and port, and every other
address and port replaced by placeholders in the order met. What it does
not look at (a shared chain's rules that name no row, the routes to each
endpoint) is what a sound sharing would still have to prove alike.

Usage: exposure_shapes.py RULES EXPOSURE.json  ->  prints "ROWS SHAPES"
"""

import json
import re
import sys

OWN = ("KUBE-SVC-", "KUBE-SEP-", "KUBE-FW-", "KUBE-XLB-")
ADDR = re.compile(r"\b\d+\.\d+\.\d+\.\d+(/\d+)?\b")


def load(path):
	chains = {}
	table = None
	for line in open(path, encoding="utf-8", errors="replace"):
		if line.startswith("*"):
			table = line[1:].strip()
		elif line.startswith("-A "):
			words = line.split()
			# comments tell no packet apart
			text = re.sub(r'-m comment --comment ("[^"]*"|\S+) ', "",
				      " ".join(words[2:]) + " ")
			chains.setdefault((table, words[1]), []).append(text)
	return chains


def dst_of(text):
	m = re.search(r"(?:^| )-d (\S+)", text)
	return m.group(1) if m else None


def dport_of(text):
	m = re.search(r"--dports? (\S+)", text)
	return m.group(1) if m else None


def target_of(text):
	m = re.search(r"-[jg] (\S+)", text)
	return m.group(1) if m else None


def shape(chains, index, row):
	names, addrs, ports = {}, {}, {}
	dst = row["dst"] and row["dst"] + "/32"
	port = str(row["port"])
	proto = row["proto"]

	def mask(text):
		def addr(m):
			a = m.group(0)
			a = a if "/" in a else a + "/32"
			if a == dst:
				return "D"
			return addrs.setdefault(a, "A%d" % len(addrs))
		text = ADDR.sub(addr, text)
		for c in re.findall(r"KUBE-(?:SVC|SEP|FW|XLB)-\w+", text):
			text = text.replace(c, names.setdefault(c, "C%d" % len(names)))

		def num(m):
			p = m.group(2)
			if p == port:
				return m.group(1) + "P"
			return m.group(1) + ports.setdefault(p, "N%d" % len(ports))
		return re.sub(r"(--dports? |--to-ports |:)(\d+)", num, text)

	key, todo, seen = [], [], set()
	cand = index.get(("d", dst), []) + index.get(("p", port), [])
	for table, chain, i, text in sorted(cand):
		d, p = dst_of(text), dport_of(text)
		if "-p " + proto not in text or p not in (None, port) or \
		   (d and d != dst):
			continue
		key.append((table, chain, i, mask(text)))
		t = target_of(text)
		if t and t.startswith(OWN):
			todo.append((table, t))
	while todo:
		table, chain = todo.pop(0)
		if (table, chain) in seen:
			continue
		seen.add((table, chain))
		for text in chains.get((table, chain), []):
			key.append((table, names.setdefault(chain, "C%d" % len(names)),
				    mask(text)))
			t = target_of(text)
			if t and t.startswith(OWN):
				todo.append((table, t))
	# a row's place among the shared chains' rules is not its shape
	return tuple((k[0], k[1], k[-1]) for k in key)


def main():
	chains = load(sys.argv[1])
	rows = json.load(open(sys.argv[2]))["rows"]
	# the rules of the shared chains by the -d they name, or (no -d)
	# by their --dport
	index = {}
	for (table, chain), rules in chains.items():
		if chain.startswith(OWN):
			continue
		for i, text in enumerate(rules):
			d, p = dst_of(text), dport_of(text)
			if d:
				index.setdefault(("d", d), []).append(
					(table, chain, i, text))
			elif p:
				index.setdefault(("p", p), []).append(
					(table, chain, i, text))
	shapes = {shape(chains, index, r) for r in rows}
	print(len(rows), len(shapes))


if __name__ == "__main__":
	main()
