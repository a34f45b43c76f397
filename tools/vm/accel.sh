#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# accel.sh KERNEL: print "kvm" if KVM really works here, else "tcg".
#
# /dev/kvm can exist and still be unusable (nested or paravirtual KVM that
# fails at the first guest instruction, leaving qemu spinning), so trust
# only a boot: the kernel must reach its "no init" panic and qemu exit,
# which takes a second or two on KVM. KIPC_ACCEL=tcg|kvm skips the probe.
set -euo pipefail

if [ -n "${KIPC_ACCEL:-}" ]; then
	echo "$KIPC_ACCEL"
	exit 0
fi
kernel=$1
if [ ! -w /dev/kvm ]; then
	echo tcg
	exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# TERM first (qemu exits cleanly on it), KILL only if that is ignored.
if (timeout -k 5 15 qemu-system-x86_64 -accel kvm -m 256 -nodefaults \
	-display none -no-reboot -kernel "$kernel" -serial "file:$log" \
	-append "console=ttyS0 panic=-1 rdinit=/nonexistent" \
	</dev/null >/dev/null 2>&1) 2>/dev/null && grep -q 'Kernel panic' "$log"; then
	echo kvm
else
	echo tcg
fi
