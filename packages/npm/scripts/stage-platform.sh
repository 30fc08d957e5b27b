#!/usr/bin/env bash
# Puts an otpcatch binary into a platform package, ready for `npm pack` or
# `npm publish`:
#
#     packages/npm/scripts/stage-platform.sh linux-x64 target/x86_64-unknown-linux-musl/release/otpcatch
#
# copies it to packages/npm/platforms/<platform>/bin/otpcatch (otpcatch.exe
# for win32-x64), mode 755. An ELF binary that carries debug information (a
# debug build) is stripped on the way, so that the tarball stays small. The
# bin/ directories are git-ignored.
set -euo pipefail

platforms="linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64"
usage() {
  echo "usage: $0 <platform> <path-to-binary>   (platform: ${platforms// /, })" >&2
  exit 2
}
[ $# -eq 2 ] || usage
platform=$1
binary=$2
case " $platforms " in *" $platform "*) ;; *) echo "stage-platform: unknown platform: $platform" >&2; usage ;; esac
[ -f "$binary" ] || { echo "stage-platform: no file at $binary" >&2; exit 1; }

package="$(cd "$(dirname "$0")/../platforms/$platform" && pwd)"
name=otpcatch
[ "$platform" = win32-x64 ] && name=otpcatch.exe
mkdir -p "$package/bin"
dest="$package/bin/$name"
rm -f "$dest"

# Is it an ELF file (Linux), and does it carry DWARF debug information?
is_elf=false
[ "$(head -c 4 "$binary" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ] && is_elf=true
has_debug=false
if $is_elf && command -v readelf >/dev/null && readelf -S --wide "$binary" 2>/dev/null | grep -q '\.debug_info'; then
  has_debug=true
fi

if $has_debug; then
  # Host binutils cannot strip another architecture: use the cross strip if there is one.
  strip_tool=strip
  case "$platform" in
    linux-arm64) [ "$(uname -m)" = aarch64 ] || strip_tool=aarch64-linux-gnu-strip ;;
    linux-x64) [ "$(uname -m)" = x86_64 ] || strip_tool=x86_64-linux-gnu-strip ;;
  esac
  command -v "$strip_tool" >/dev/null || { echo "stage-platform: $binary is a debug build and $strip_tool is not installed" >&2; exit 1; }
  "$strip_tool" -o "$dest" "$binary"
  how="stripped from $(du -h "$binary" | cut -f1)"
else
  cp "$binary" "$dest"
  how="copied"
fi
chmod 755 "$dest"
echo "stage-platform: $dest ($(du -h "$dest" | cut -f1), $how)" >&2
