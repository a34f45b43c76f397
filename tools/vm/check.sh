#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh stock|debug|shell
#
#   stock  run the selftests on Debian's stock 6.1 and 6.12 kernels
#   debug  run them on the debug kernel (KASAN, lockdep, kmemleak, ...)
#   shell  an interactive VM on the newest stock kernel
#
# For each kernel: build the module against its headers, pack an initramfs,
# boot it (run.sh) and add up the verdicts. The last line is
# "N passed, N failed, N skipped" (also left in build/vm/MODE.counts); the
# exit status is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=${1:-stock}
make -s lib tools selftests >&2
tests=(build/selftests/*_test)
[ -x "${tests[0]}" ] || { echo "check: no selftests were built" >&2; exit 1; }

# "RELEASE VMLINUZ KDIR" of the newest installed Debian kernel of a series.
stock_kernel() {
	local series=$1 img rel
	img=$(ls /boot/vmlinuz-"$series".* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$img" ] || { echo "check: no $series kernel in /boot; run 'make deps'" >&2; return 1; }
	rel=${img#/boot/vmlinuz-}
	[ -d "/lib/modules/$rel/build" ] ||
		{ echo "check: no headers for $rel; run 'make deps'" >&2; return 1; }
	echo "$rel $img /lib/modules/$rel/build"
}

kernels=() run_opts=()
case "$mode" in
stock)
	kernels+=("$(stock_kernel 6.1)" "$(stock_kernel 6.12)")
	;;
debug)
	kdir=$(tools/vm/debug-kernel.sh | tail -n 1)
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$kdir/include/generated/utsrelease.h")
	kernels+=("$rel $kdir/arch/x86/boot/bzImage $kdir")
	# KASAN and lockdep make everything several times slower.
	run_opts=(--mem 2048 --timeout 3000 --append "panic_on_warn=1 kipc.timeout=1800")
	;;
shell)
	kernels+=("$(stock_kernel 6.12)")
	run_opts=(--shell)
	;;
*)
	echo "usage: check.sh stock|debug|shell" >&2
	exit 2
	;;
esac

# Probe KVM once for all the VMs of this run.
KIPC_ACCEL=$(tools/vm/accel.sh "$(echo "${kernels[0]}" | cut -d' ' -f2)")
export KIPC_ACCEL

total_pass=0 total_fail=0 total_skip=0 summary=()
for k in "${kernels[@]}"; do
	read -r rel img kdir <<< "$k"
	out=build/vm/$mode-$rel
	make -s module KDIR="$kdir" > "build/module-$rel.log" 2>&1 ||
		{ cat "build/module-$rel.log" >&2; exit 1; }
	if grep -q 'warning:' "build/module-$rel.log"; then
		grep 'warning:' "build/module-$rel.log" >&2
		echo "check: module build for $rel has warnings" >&2
		exit 1
	fi
	tools/vm/mkinitramfs.sh "$out/initramfs.cpio.gz" \
		"build/mod/$rel/kipc.ko" "${tests[@]}"

	tools/vm/run.sh --label "$rel" "${run_opts[@]}" \
		"$img" "$out/initramfs.cpio.gz" "$out" || true
	# A guest that died before /init began ran none of our code (TCG on
	# a loaded host has crashed a stock kernel in early boot): boot once
	# more, saying so, rather than report a failure that is not ours.
	if [ "$mode" != shell ] && ! grep -q '^KIPC-BEGIN' "$out/report.txt"; then
		echo "check: $rel died before /init started; booting it again" >&2
		tools/vm/run.sh --label "$rel" "${run_opts[@]}" \
			"$img" "$out/initramfs.cpio.gz" "$out" || true
	fi
	read -r p f s < "$out/counts"
	summary+=("$rel: $p passed, $f failed, $s skipped")
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
done

echo
for line in "${summary[@]}"; do
	echo "  $line"
done
echo "$total_pass $total_fail $total_skip" > "build/vm/$mode.counts"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
