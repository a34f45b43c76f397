#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages kipc needs to build and test, if any is missing.
# Quick and silent when everything is there; as non-root it prints the
# apt-get line instead.
set -euo pipefail

# Kernels the VM tests boot, with the headers to build the module for them.
# 6.12 comes from bookworm's linux-image-6.12-amd64 meta-package.
pkgs=(
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-source-6.1
	qemu-system-x86 busybox-static cpio xz-utils
	libnl-3-dev libnl-genl-3-dev pkg-config
	build-essential bc bison flex libelf-dev libssl-dev dwarves
	gnuplot-nox
	# kipc bench --cross-check: perf bench sched pipe, pmqtest, ptsematest.
	linux-perf rt-tests
	# make check-package: dkms build for both kernels, depmod, modinfo,
	# and mandoc -Tlint over the man pages.
	dkms kmod mandoc
	# The RPC row of kipc bench: a private dbus-daemon driven through
	# libdbus-1, libzmq and libgrpc's C core.
	dbus-daemon libdbus-1-dev libzmq3-dev libgrpc-dev
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages; as root run:" >&2
	echo "  apt-get update && ${cmd[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Package lists may be absent or stale on a new machine.
apt-get update -q >&2
"${cmd[@]}" >&2 </dev/null
