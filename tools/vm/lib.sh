# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by check.sh and bench.sh; sourced, with the top of the
# repository as the current directory. Messages start with the name of the
# script that sourced this file ("check: ...", "bench: ...").

prog=$(basename "$0" .sh)

# "RELEASE VMLINUZ KDIR" of the newest installed Debian kernel of a series.
stock_kernel() {
	local series=$1 img rel
	img=$(ls /boot/vmlinuz-"$series".* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$img" ] || { echo "$prog: no $series kernel in /boot; run 'make deps'" >&2; return 1; }
	rel=${img#/boot/vmlinuz-}
	[ -d "/lib/modules/$rel/build" ] ||
		{ echo "$prog: no headers for $rel; run 'make deps'" >&2; return 1; }
	echo "$rel $img /lib/modules/$rel/build"
}

# build_module RELEASE KDIR: build/mod/RELEASE/kipc.ko, with its log in
# build/module-RELEASE.log. A warning is an error, as for make check.
build_module() {
	local rel=$1 kdir=$2 log=build/module-$1.log
	make -s module KDIR="$kdir" > "$log" 2>&1 || { cat "$log" >&2; return 1; }
	if grep -q 'warning:' "$log"; then
		grep 'warning:' "$log" >&2
		echo "$prog: module build for $rel has warnings" >&2
		return 1
	fi
}

# boot_vm RELEASE RUN.SH-ARGS... OUTDIR: run.sh, and once more if the guest
# died before /init began: TCG on a loaded host has crashed a stock kernel
# in early boot, which ran none of our code and is not our failure. The
# verdict is left in OUTDIR (counts, report.txt) as run.sh leaves it; no
# counts means run.sh itself was stopped.
boot_vm() {
	local rel=$1 out=${!#}
	shift
	tools/vm/run.sh "$@" || true
	if [ -f "$out/counts" ] && ! grep -q '^KIPC-BEGIN' "$out/report.txt"; then
		echo "$prog: $rel died before /init started; booting it again" >&2
		tools/vm/run.sh "$@" || true
	fi
}
