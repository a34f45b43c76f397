#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: what a packager or a user of a real host does, checked on this
# host without loading anything (make check-package).
#
#   - make install into a staging tree (DESTDIR, PREFIX=/usr): every file
#     where it belongs, libkipc.pc made for that prefix;
#   - an outside program built with pkg-config --cflags --libs libkipc
#     against that tree (shared and static) runs and reports the version;
#   - a second install to another prefix, without rebuilding, writes a
#     libkipc.pc for that prefix (no stale one from the build);
#   - make uninstall leaves both trees empty;
#   - the DKMS package builds for Debian's 6.1 and 6.12 headers (dkms add
#     and build in a private dkms tree), and the module it builds has the
#     version and the aliases that let an open of /dev/kipc load it;
#   - make modules_install with INSTALL_MOD_PATH, then depmod: the module
#     is found and modules.devname names /dev/kipc;
#   - the man pages lint clean (mandoc -Tlint -W warning), every library
#     call has one (or a .so link to its family's), and install put them
#     in man1 and man3.
#
# Prints PASS/FAIL per check and "N passed, N failed, N skipped" last
# (also in build/package.counts); exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tools/vm/lib.sh

version=$(sed -n 's/^#define KIPC_VERSION "\(.*\)"/\1/p' kmod/version.h)
libver=$(sed -n 's/^#define KIPC_LIB_VERSION_[A-Z]*[[:space:]]*//p' \
	lib/include/kipc.h | paste -sd.)
tmp=$(mktemp -d /tmp/kipc-package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
log=build/package.log
mkdir -p build
: > "$log"
pass=0 fail=0

# check NAME CMD...: run CMD (output to the log) and count its verdict.
check() {
	local name=$1
	shift
	echo "=== $name" >> "$log"
	if "$@" >> "$log" 2>&1; then
		echo "PASS package: $name"
		pass=$((pass + 1))
	else
		echo "FAIL package: $name (see $log)"
		fail=$((fail + 1))
	fi
}

# The files make install puts under PREFIX=$2 in DESTDIR=$1.
installed() {
	local root=$1 prefix=$2 page
	for page in tools/man/*.1; do
		echo "$root$prefix/share/man/man1/${page##*/}"
	done
	for page in lib/man/*.3; do
		echo "$root$prefix/share/man/man3/${page##*/}"
	done
	printf '%s\n' "$root$prefix/lib/libkipc.a" \
		"$root$prefix/lib/libkipc.so.$libver" \
		"$root$prefix/lib/libkipc.so.${libver%%.*}" \
		"$root$prefix/lib/libkipc.so" \
		"$root$prefix/lib/pkgconfig/libkipc.pc" \
		"$root$prefix/include/kipc/kipc.h" \
		"$root$prefix/include/kipc/kipc_chan.h" \
		"$root$prefix/include/kipc/linux/kipc.h" \
		"$root$prefix/bin/kipc"
}

install_to() {
	local root=$1 prefix=$2 f
	make -s install DESTDIR="$root" PREFIX="$prefix" || return 1
	for f in $(installed "$root" "$prefix"); do
		[ -e "$f" ] || { echo "missing: $f"; return 1; }
	done
	grep -qx "prefix=$prefix" "$root$prefix/lib/pkgconfig/libkipc.pc" &&
	grep -qx "includedir=$prefix/include/kipc" \
		"$root$prefix/lib/pkgconfig/libkipc.pc"
}

# pkg-config as an outside build would run it against the staged tree.
staged_pkg_config() {
	PKG_CONFIG_SYSROOT_DIR="$tmp/root" \
	PKG_CONFIG_PATH="$tmp/root/usr/lib/pkgconfig" pkg-config "$@"
}

outside_program() {
	local how=$1 flags out
	cat > "$tmp/hello.c" <<'EOC'
#include <stdio.h>
#include <kipc_chan.h>	/* first: it stands alone */
#include <kipc.h>

int main(void)
{
	/* Only the library: there is no module on this host. */
	printf("%s\n", kipc_lib_version());
	return kipc_chan_info("kipc-mq") ? 0 : 1;
}
EOC
	if [ "$how" = static ]; then
		flags=$(staged_pkg_config --static --cflags --libs libkipc) || return 1
		flags="-static $flags"
	else
		flags=$(staged_pkg_config --cflags --libs libkipc) || return 1
	fi
	echo "cc $flags"
	# shellcheck disable=SC2086
	cc -Wall -Werror -o "$tmp/hello-$how" "$tmp/hello.c" $flags || return 1
	out=$(LD_LIBRARY_PATH="$tmp/root/usr/lib" "$tmp/hello-$how") || return 1
	echo "it says: $out"
	[ "$out" = "$libver" ]
}

uninstall_from() {
	local root=$1 prefix=$2 left
	make -s uninstall DESTDIR="$root" PREFIX="$prefix" || return 1
	left=$(find "$root" ! -type d)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

# dkms add and build for kernel release $1 in a private dkms tree.
dkms_build() {
	local rel=$1 ko
	mkdir -p "$tmp/dkms"
	tools/dkms/stage.sh "$tmp/src/kipc-$version" "$version" || return 1
	dkms status --dkmstree "$tmp/dkms" -m kipc -v "$version" | grep -q . ||
		dkms add --dkmstree "$tmp/dkms" --sourcetree "$tmp/src" \
			-m kipc -v "$version" || return 1
	dkms build --dkmstree "$tmp/dkms" --sourcetree "$tmp/src" \
		-m kipc -v "$version" -k "$rel" || return 1
	ko=$(find "$tmp/dkms/kipc/$version/$rel" -name 'kipc.ko*' | head -n 1)
	[ -n "$ko" ] || { echo "no kipc.ko built"; return 1; }
	module_has_identity "$ko"
}

# The version and the aliases of the module file $1.
module_has_identity() {
	local ko=$1
	echo "$ko: version $(modinfo -F version "$ko")"
	modinfo -F alias "$ko"
	[ "$(modinfo -F version "$ko")" = "$version" ] &&
	modinfo -F alias "$ko" | grep -qx "devname:kipc" &&
	modinfo -F alias "$ko" | grep -qx "char-major-10-249"
}

modules_install_to() {
	local rel=$1 kdir=$2 root="$tmp/mods" dir ko
	make -s modules_install KDIR="$kdir" INSTALL_MOD_PATH="$root" || return 1
	dir=$root/lib/modules/$rel
	# 6.12's headers compress modules (CONFIG_MODULE_COMPRESS_XZ).
	ko=$(find "$dir/updates" -name 'kipc.ko*' 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { echo "no kipc.ko under $dir/updates"; return 1; }
	module_has_identity "$ko" &&
	grep -Eq '^updates/kipc\.ko(\.[a-z]+)?:' "$dir/modules.dep" &&
	grep -qx 'kipc kipc c10:249' "$dir/modules.devname"
}

# Every page that is not a .so link lints clean.
man_lint() {
	local page pages=()

	for page in tools/man/*.1 lib/man/*.3; do
		grep -q '^\.so ' "$page" || pages+=("$page")
	done
	[ ${#pages[@]} -gt 0 ] || { echo "no man pages"; return 1; }
	mandoc -Tlint -W warning "${pages[@]}"
}

# Every function libkipc exports has a page of its name.
man_covers_the_library() {
	local fn missing=0

	for fn in $(sed -n 's/^\t\t\(kipc_[a-z0-9_]*\);$/\1/p' lib/libkipc.map); do
		[ -e "lib/man/$fn.3" ] || { echo "no page for $fn"; missing=1; }
	done
	return $missing
}

make -s lib tools >> "$log" 2>&1 || { echo "check-package: the build failed ($log)"; exit 1; }

check "man pages lint clean" man_lint
check "every library call has a man page" man_covers_the_library

check "install to DESTDIR with PREFIX=/usr" install_to "$tmp/root" /usr
check "outside program with pkg-config (shared)" outside_program shared
check "outside program with pkg-config (static)" outside_program static
check "install to a second prefix writes its own libkipc.pc" \
	install_to "$tmp/opt" /opt/kipc
check "uninstall removes what install put there" uninstall_from "$tmp/root" /usr
check "uninstall from the second prefix" uninstall_from "$tmp/opt" /opt/kipc
for series in 6.1 6.12; do
	read -r rel _ kdir <<< "$(stock_kernel "$series")"
	check "dkms build for $rel" dkms_build "$rel"
	check "modules_install and depmod for $rel" modules_install_to "$rel" "$kdir"
done

echo "$pass $fail 0" > build/package.counts
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
