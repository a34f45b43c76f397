#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT.cpio.gz KIPC_KO [TEST_BINARY...]
#
# Build the VM's initramfs: busybox-static, tools/vm/init as /init, the
# module, the kipc tool and the selftests. Everything is owned by root
# inside the archive whoever builds it.
#
# The RPC channels need more: the shared libraries libkipc loads for them
# (the sonames its sources name in CHAN_LIB()), dbus-daemon, and the
# kernel's own binder_linux.ko for the kernel of KIPC_KO (decompressed:
# busybox's insmod reads plain .ko files). Dynamic programs get the
# libraries ldd lists, and the loader with them; the kipc tool goes in
# dynamic, as a user runs it, so it can load the RPC libraries.
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

# The shared libraries @1 needs (none if it is static), at their paths.
add_libs() {
	local lib

	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] || install -D -m 755 "$lib" "$root$lib"
	done
}

# Host program @1 (from PATH) as /bin/@1, with its libraries.
add_host_bin() {
	local path

	path=$(command -v "$1" || true)
	if [ -z "$path" ]; then
		echo "mkinitramfs: $1 is not installed; left out" >&2
		return
	fi
	install -m 755 "$path" "$root/bin/$1"
	add_libs "$path"
}

install -m 755 "$top/build/bin/kipc" "$root/bin/kipc"
add_libs "$top/build/bin/kipc"
for t in "$@"; do
	install -m 755 "$t" "$root/tests/"
	add_libs "$t"
done
for b in ${KIPC_INITRAMFS_BINS:-}; do
	add_host_bin "$b"
done

# The RPC row: its libraries, by the sonames libkipc loads, and the daemon.
for so in $(sed -n 's/.*CHAN_LIB("\([^"]*\)".*/\1/p' "$top"/lib/chan/*.c); do
	# awk reads to the end: an early exit would kill ldconfig with
	# SIGPIPE, which pipefail turns into a failed build.
	lib=$(/sbin/ldconfig -p |
		awk -v so="$so" '$1 == so && /x86-64/ && !found++ { print $NF }')
	if [ -z "$lib" ]; then
		echo "mkinitramfs: $so is not installed; its channel cannot run" >&2
		continue
	fi
	install -D -m 755 "$lib" "$root$lib"
	add_libs "$lib"
done
add_host_bin dbus-daemon
# dbus-daemon looks up each connecting user's groups (glibc's built-in
# files service reads these).
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	> "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
binder=$(ls /lib/modules/"$rel"/kernel/drivers/android/binder_linux.ko* 2>/dev/null |
	head -n 1 || true)
case "$binder" in
*.xz) xz -dc "$binder" > "$root/binder_linux.ko" ;;
?*) cp "$binder" "$root/binder_linux.ko" ;;
esac

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
