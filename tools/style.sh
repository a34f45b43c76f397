#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict over the module sources. checkpatch comes from
# Debian's linux-source-6.1 tarball and is extracted into build/ once.
set -euo pipefail
cd "$(dirname "$0")/.."

tar_file=${KSRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
dir=build/checkpatch
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	[ -r "$tar_file" ] || { echo "style: $tar_file missing; run 'make deps'" >&2; exit 1; }
	mkdir -p "$dir"
	tar -xJf "$tar_file" -C "$dir" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi

files=$(find kmod -name '*.[ch]' | sort)
uapi=kmod/include/uapi/linux/kipc.h
# --no-tree: we are not inside a kernel tree.
"$dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	-f $(echo "$files" | grep -vx "$uapi")
# The uapi's KIPC_NL_*_ATTRS are X-macro tables (a list of X(...) calls,
# not an expression), which checkpatch cannot tell from a complex
# expression; everything else in the header is checked.
"$dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore COMPLEX_MACRO,MACRO_ARG_REUSE -f "$uapi"
echo "style: checkpatch clean ($(echo "$files" | wc -l) files)"
