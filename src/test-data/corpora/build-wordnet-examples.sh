#!/usr/bin/env bash
# Regenerates wordnet-examples-en.jsonl: the example sentences of WordNet 3.0 (Debian 12 package wordnet-base),
# everyday English of every register (see README.md, "wordnet-examples-en.jsonl"). Needs apt-get (after
# apt-get update), dpkg-deb and /usr/bin/python3 (standard library only). Byte-identical for the same package.
set -euo pipefail
out_dir="${1:-$(cd "$(dirname "$0")/../../../operator/training/src/main/resources/io/flinkllmlingua/training/demo" && pwd)}"
version="1:3.0-37"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "wordnet-base=$version" >/dev/null 2>&1 || apt-get download -q wordnet-base >/dev/null)
dpkg-deb -x "$work"/wordnet-base_*.deb "$work/x"
actual="$(dpkg-deb -f "$work"/wordnet-base_*.deb Version)"
[ "$actual" = "$version" ] || echo "warning: wordnet-base $version not served, using $actual" >&2
/usr/bin/python3 - "$work/x/usr/share/wordnet" "$out_dir/wordnet-examples-en.jsonl" "$actual" <<'PY'
import json, random, re, sys
src, out, version = sys.argv[1], sys.argv[2], sys.argv[3]
examples = []
for pos in ["noun", "verb", "adj", "adv"]:
    with open(f"{src}/data.{pos}", encoding="latin-1") as f:
        for line in f:
            if line.startswith("  ") or " | " not in line:
                continue  # the licence header, or a synset without a gloss
            offset = line.split(" ", 1)[0]
            for quoted in re.findall(r'"([^"]+)"', line.split(" | ", 1)[1]):
                s = " ".join(quoted.split())
                if len(s.split()) < 7:
                    continue  # phrases and fragments, not sentences
                s = s[0].upper() + s[1:]
                if s[-1] not in ".?!":
                    s += "."
                examples.append((f"{pos}.{offset}", s))
seen = set()
unique = [e for e in examples if not (e[1] in seen or seen.add(e[1]))]
rng = random.Random(20261202)
rng.shuffle(unique)  # mixes topics: data files are ordered by synset
unique = unique[:9000]
per_doc = 30
with open(out, "w", encoding="utf-8", newline="\n") as f:
    for d in range(0, len(unique), per_doc):
        group = unique[d:d + per_doc]
        rec = {"doc_id": f"debian/wordnet-base/examples#{d // per_doc:03d}",
               "text": "\n".join(s for _, s in group),
               "metadata": {"source": f"Debian 12 package wordnet-base {version}: /usr/share/wordnet/data.{{noun,verb,adj,adv}}, "
                                      "example sentences of the synsets " + ",".join(o for o, _ in group),
                            "license": "WordNet-3.0 (WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.)",
                            "lang": "en"}}
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
PY
echo "wrote $out_dir/wordnet-examples-en.jsonl"
