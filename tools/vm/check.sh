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
#
# KIPC_TESTS="build/selftests/ring_test ..." runs only those (while
# working on one suite; CI and make check run them all).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/vm/lib.sh

mode=${1:-stock}
make -s lib tools selftests >&2
if [ -n "${KIPC_TESTS:-}" ]; then
	read -ra tests <<< "$KIPC_TESTS"
else
	tests=(build/selftests/*_test)
fi
[ -x "${tests[0]}" ] || { echo "check: no selftests were built" >&2; exit 1; }

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
	build_module "$rel" "$kdir" || exit 1
	tools/vm/mkinitramfs.sh "$out/initramfs.cpio.gz" \
		"build/mod/$rel/kipc.ko" "${tests[@]}"

	if [ "$mode" = shell ]; then
		exec tools/vm/run.sh --label "$rel" "${run_opts[@]}" \
			"$img" "$out/initramfs.cpio.gz" "$out"
	fi
	boot_vm "$rel" --label "$rel" "${run_opts[@]}" \
		"$img" "$out/initramfs.cpio.gz" "$out"
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
