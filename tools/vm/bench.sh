#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [KIPC-BENCH-ARGS...]
#
# Run kipc bench with these extra arguments (make bench passes BENCH_ARGS)
# and leave its results in build/bench/: bench.txt (the table, also printed
# on stdout), bench.json, bench.csv and bench.svg.
#
# On this host if it can load the module: root, a build tree for the running
# kernel, the module builds against it and insmod works (or kipc is loaded
# already); a module loaded here is unloaded afterwards.
#
# Otherwise in a QEMU VM (2 CPUs, 2 GiB) on Debian's newest stock kernel,
# judged like a test run by run.sh --mode bench: a crash, a timeout, a splat
# in the kernel log or a failed step (insmod, kipc bench, rmmod) fails it.
# The arguments travel on the kernel command line as kipc.bench=, encoded
# as /init describes; kipc bench's progress is shown as it comes, and its
# table, JSON, CSV and gnuplot script come back over ttyS1. gnuplot then
# draws bench.svg here (bench.gp stays beside it).
#
# KIPC_BENCH_TIMEOUT (seconds, default 2700) limits the VM; KIPC_ACCEL=tcg|kvm
# skips the KVM probe. Exits non-zero if kipc bench failed, or if the VM
# failed or its files did not all arrive.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/vm/lib.sh

dir=build/bench
files=(bench.txt bench.json bench.csv bench.gp)

make -s lib tools >&2
mkdir -p $dir
rm -f $dir/bench.{txt,json,csv,gp,svg}

# Can this host run it? Leaves the reason it cannot in why, and loaded=1
# if it loaded the module.
rel=$(uname -r)
kdir=/lib/modules/$rel/build
why= loaded=0
host_check() {
	if [ "$(id -u)" -ne 0 ]; then
		why="it is not running as root"
	elif [ ! -d "$kdir" ]; then
		why="the running kernel, Linux $rel, has no build tree ($kdir)"
	elif ! make -s module KDIR="$kdir" > "build/module-$rel.log" 2>&1; then
		why="the module does not build for Linux $rel (build/module-$rel.log)"
	elif grep -qs '^kipc ' /proc/modules; then
		:
	elif insmod "build/mod/$rel/kipc.ko" 2> build/insmod.log; then
		loaded=1
	else
		why=$(head -n 1 build/insmod.log)
		why="insmod fails on Linux $rel (${why##*: })"
	fi
}

run_host() {
	local rc=0

	echo "bench: running kipc bench on this host (Linux $rel)" >&2
	[ $loaded -eq 0 ] || trap 'rmmod kipc' EXIT
	build/bin/kipc bench --cross-check --json $dir/bench.json \
		--csv $dir/bench.csv --plot $dir/bench.svg "$@" |
		tee $dir/bench.txt || rc=$?
	if [ $loaded -eq 1 ]; then
		trap - EXIT
		rmmod kipc || { echo "bench: rmmod kipc failed" >&2; rc=1; }
	fi
	if [ $rc -ne 0 ]; then
		echo "kipc bench failed on this host (Linux $rel, exit $rc)" >&2
		return 1
	fi
	echo "kipc bench ran on this host (Linux $rel); results in $dir/" >&2
}

# The arguments as one word of the kernel command line, decoded by /init:
# '+' between arguments, %XX for each byte that is not a letter, a digit
# or one of . , _ / : = -
encode_args() {
	local LC_ALL=C a c i out= sep=

	for a in "$@"; do
		out+=$sep sep=+
		for ((i = 0; i < ${#a}; i++)); do
			c=${a:i:1}
			case "$c" in
			[A-Za-z0-9.,_/:=-]) out+=$c ;;
			*) out+=$(printf '%%%02X' "'$c") ;;
			esac
		done
	done
	printf '%s\n' "$out"
}

# Write the files of a report to $dir: only those that came whole.
unpack() {
	local f

	awk -v dir="$dir" '
	/^KIPC-FILE / {
		name = $2 ~ /^bench\.(txt|json|csv|gp)$/ ? $2 : ""
		if (name != "") {
			part = dir "/" name ".part"
			printf "" > part
		}
		next
	}
	/^KIPC-DATA / && name != "" { print substr($0, 11) > part; next }
	/^KIPC-END / && $2 == name && name != "" {
		close(part)
		print name
		name = ""
	}' "$1" | while read -r f; do
		mv "$dir/$f.part" "$dir/$f"
	done
	rm -f $dir/*.part
}

run_vm() {
	local k vrel img vkdir out accel vm_s guest_s append p f s
	local missing=() status=0

	k=$(stock_kernel 6.12)
	read -r vrel img vkdir <<< "$k"
	out=build/vm/bench-$vrel
	echo "bench: cannot run on this host because $why; using a QEMU VM" \
		"(Linux $vrel)" >&2
	build_module "$vrel" "$vkdir"
	# The cross-check's tools, with the libraries they link.
	KIPC_INITRAMFS_BINS="perf pmqtest ptsematest sigwaittest" \
		tools/vm/mkinitramfs.sh "$out/initramfs.cpio.gz" \
		"build/mod/$vrel/kipc.ko"
	KIPC_ACCEL=$(tools/vm/accel.sh "$img")
	export KIPC_ACCEL
	accel=${KIPC_ACCEL^^}

	# The guest stops kipc bench a little before the VM is killed, so
	# that it still reports and sends what there is.
	vm_s=${KIPC_BENCH_TIMEOUT:-2700}
	guest_s=$((vm_s > 240 ? vm_s - 120 : vm_s / 2))
	append="kipc.timeout=$guest_s"
	append+=" kipc.bench=$(encode_args --cross-check "$@")"
	boot_vm "$vrel" --mode bench --label "$vrel" --mem 2048 \
		--timeout "$vm_s" --append "$append" \
		"$img" "$out/initramfs.cpio.gz" "$out" >&2
	if [ ! -f "$out/counts" ]; then
		echo "bench: run.sh was stopped before its verdict" >&2
		return 1
	fi
	read -r p f s < "$out/counts"
	[ "$f" -eq 0 ] || status=1

	unpack "$out/report.txt"
	for f in "${files[@]}"; do
		[ -f "$dir/$f" ] || missing+=("$f")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "bench: did not arrive from the VM: ${missing[*]}" >&2
		status=1
	fi
	[ ! -f $dir/bench.txt ] || cat $dir/bench.txt

	if [ ! -f $dir/bench.gp ]; then
		:
	elif ! command -v gnuplot > /dev/null; then
		echo "bench: gnuplot is not installed: no bench.svg ('make deps')" >&2
	elif ! (cd $dir && gnuplot bench.gp) >&2 || [ ! -s $dir/bench.svg ]; then
		echo "bench: gnuplot bench.gp did not make bench.svg" >&2
		status=1
	fi

	if [ $status -ne 0 ]; then
		echo "kipc bench failed in a QEMU VM ($accel, Linux $vrel):" \
			"see $out/report.txt and console.log" >&2
		return 1
	fi
	echo "kipc bench ran in a QEMU VM ($accel, Linux $vrel) because $why;" \
		"results in $dir/" >&2
}

host_check
if [ -z "$why" ]; then
	run_host "$@"
else
	run_vm "$@"
fi
