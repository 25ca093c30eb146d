#!/usr/bin/env bash
# Every relative link of every Markdown file in the repository (README, docs/, CONTRIBUTING, SECURITY, …)
# resolves to a file inside the repository, and an #anchor to a heading of that file; no tracked file points
# outside the repository (a sibling folder of the clone, or an absolute path of the machine it was written on).
# Run by ./test.sh: exit 0 passed, 1 failed (naming each link).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
python3 - <<'PY'
import os, re, subprocess, sys

repo = os.getcwd()
files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], capture_output=True, text=True, check=True).stdout.split("\n")
files = [f for f in files if f and os.path.exists(f)]
markdown = [f for f in files if f.endswith(".md")]
link = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
fence = re.compile(r"^\s*(```|~~~)")

def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r"`", "", s)
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")

def anchors(path):
    out, inside = set(), False
    for line in open(path, encoding="utf-8"):
        if fence.match(line):
            inside = not inside
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m and not inside:
            out.add(slug(m.group(1)))
    return out

problems, checked = [], 0
for md in markdown:
    inside = False
    for number, line in enumerate(open(md, encoding="utf-8"), 1):
        if fence.match(line):
            inside = not inside
            continue
        if inside:
            continue
        for target in link.findall(re.sub(r"`[^`]*`", "", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            checked += 1
            path, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
            if not os.path.realpath(resolved).startswith(repo + os.sep):
                problems.append(f"{md}:{number}: {target} points outside the repository")
            elif not os.path.exists(resolved):
                problems.append(f"{md}:{number}: {target} does not exist")
            elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                problems.append(f"{md}:{number}: {target}: no heading '#{anchor}' in {resolved}")

# The pattern is spelled so that this file does not match it itself.
outside = re.compile(r"\.\./s[h]ared\b|/w[o]rk/")
for f in files:
    if os.path.getsize(f) > 2_000_000:
        continue
    try:
        text = open(f, encoding="utf-8").read()
    except (UnicodeDecodeError, IsADirectoryError):
        continue
    for number, line in enumerate(text.split("\n"), 1):
        if outside.search(line):
            problems.append(f"{f}:{number}: refers to something outside the repository")

for p in problems:
    print("FAIL: " + p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"passed: {checked} relative links in {len(markdown)} Markdown files resolve inside the repository; nothing refers outside it")
PY
