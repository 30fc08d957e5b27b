#!/usr/bin/env bash
# Hostile inputs to `otpcatch extract`, each bounded in time and memory:
# prints elapsed seconds and peak resident memory for each.
# Usage: bench/hostile.sh              (builds the release binary first)
#        BIN_DIR=DIR bench/hostile.sh  (measures DIR/otpcatch, such as an older build)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BIN_DIR:-}" ]; then
  cargo build --release -q -p otpcatch
  BIN_DIR=target/release
fi
otpcatch=$BIN_DIR/otpcatch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import itertools, os, string, sys
os.chdir(sys.argv[1])
head = b"From: a@b.test\r\nTo: c@otpcatch.test\r\nSubject: Your code\r\nMIME-Version: 1.0\r\n"
# One tag with 200,000 distinct attributes, under 1 MB.
names = ("".join(p) for n in (1, 2, 3, 4) for p in itertools.product(string.ascii_lowercase, repeat=n))
tag = ("<a " + " ".join(next(names) for _ in range(200000)) + ">Verify</a>")[:1000000]
open("attributes.html", "w").write(tag + "<p>Your verification code is 481923</p>")
# 100,000 attachments after the text part.
parts = b"".join(b"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
                 b"filename=f%d.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n" % i for i in range(100000))
open("attachments.eml", "wb").write(head + b"Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n"
    b"Content-Type: text/plain\r\n\r\nYour verification code is 481923\r\n" + parts + b"--B--\r\n")
# 50 MB of text with the code at the end.
body = (b"Lorem ipsum dolor sit amet 12345 consectetur. " * 1100000)[:50 * 1024 * 1024]
open("big.eml", "wb").write(head + b"Content-Type: text/plain\r\n\r\n" + body + b"\r\nYour verification code is 481923\r\n")
# A look-behind followed by nested repetition, over 100,000 characters.
open("fancy.toml", "w").write('name = "x"\n[[code]]\nkind = "fancy"\nsource = "text"\npattern = "(?<=a)(a+)+b"\n')
open("aaaa.txt", "w").write("a" * 100000 + "!\n")
# 5,000 Unicode-digit extractors, all tried: 50 rule files of 100 each
# (a rule may have at most 100).
os.mkdir("rules")
for r in range(50):
    with open("rules/r%02d.toml" % r, "w") as f:
        f.write('name = "r%02d"\n' % r)
        for i in range(100):
            f.write("[[code]]\nkind = \"regex\"\nsource = \"text\"\npattern = 'zz%d (\\d{6})'\n" % (r * 100 + i))
open("code.txt", "w").write("Your verification code is 481923\n")
PY

measure() {
  local what=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$otpcatch" "$@" >/dev/null 2>&1 || true
  read -r seconds kib < <(tail -1 "$work/time")
  echo "| $what | ${seconds} s | $((kib / 1024)) MiB |"
}

echo "| input (\`otpcatch extract\`) | elapsed | peak RSS |"
echo "| --- | --- | --- |"
measure "one tag with 200,000 attributes (1 MB)" extract --file "$work/attributes.html"
measure "100,000 attachments (14 MB)" extract --file "$work/attachments.eml"
measure "50 MB of text, the code at the end" extract --file "$work/big.eml"
measure "\`fancy\` (?<=a)(a+)+b on 100,000 a's" extract --rules-file "$work/fancy.toml" --rule x --file "$work/aaaa.txt"
measure "5,000 \\d{6} extractors in 50 rule files, all tried" extract --rules-dir "$work/rules" --file "$work/code.txt"
