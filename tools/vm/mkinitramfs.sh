#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT.cpio.gz KIPC_KO [TEST_BINARY...]
#
# Build the VM's initramfs: busybox-static, tools/vm/init as /init, the
# module, the static kipc tool and the selftests. Everything is owned by
# root inside the archive whoever builds it.
#
# KIPC_INITRAMFS_BINS names host programs to add as well (found in PATH,
# with the shared libraries ldd lists, at their own paths); one that is
# not installed is left out with a warning, and the guest says so.
set -euo pipefail

out=$1 ko=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# mktemp made the root 0700; unprivileged test children must traverse it.
chmod 755 "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests,root}
install -m 755 /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$here/init" "$root/init"
install -m 644 "$ko" "$root/kipc.ko"
# The same module in a modules tree, with depmod's files, for the step
# that loads it by opening its device node (modules.alias: char-major-10-*).
rel=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
if [ -n "$rel" ] && command -v depmod > /dev/null; then
	install -D -m 644 "$ko" "$root/lib/modules/$rel/extra/kipc.ko"
	depmod -b "$root" "$rel" 2> /dev/null
fi
install -m 755 "$top/build/bin/kipc-static" "$root/bin/kipc"
for t in "$@"; do
	install -m 755 "$t" "$root/tests/"
done
for b in ${KIPC_INITRAMFS_BINS:-}; do
	path=$(command -v "$b" || true)
	if [ -z "$path" ]; then
		echo "mkinitramfs: $b is not installed; left out" >&2
		continue
	fi
	install -m 755 "$path" "$root/bin/$b"
	for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] || install -D -m 755 "$lib" "$root$lib"
	done
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
