#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [options] KERNEL INITRD OUTDIR
#
# Boot one VM, wait for it to finish and judge the result from outside:
#   - no KIPC-DONE marker on ttyS1         -> fail (panic, hang or timeout)
#   - a splat in the kernel log on ttyS0   -> fail
#   - any "not ok", failed step or a test binary that died -> fail
# Prints one line per test and writes "PASSED FAILED SKIPPED" to
# OUTDIR/counts. Exits 0 only when nothing failed. The guest's
# KIPC-PROGRESS lines are shown on stderr as they arrive.
#
# Options:
#   --label NAME      name used in the output (default: kernel file name)
#   --timeout SECS    wall-clock limit for the whole VM (default 1200)
#   --mem MIB         guest memory (default 1024)
#   --append ARGS     extra kernel command line
#   --mode MODE       what /init does: test (default, the selftests) or bench
#   --shell           interactive: serial console on this terminal
set -euo pipefail

label= timeout_s=1200 mem=1024 append= shell=0 mode=test
while [ $# -gt 0 ]; do
	case "$1" in
	--mode) mode=$2; shift 2 ;;
	--label) label=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--shell) shell=1; shift ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 3 ] || { echo "usage: run.sh [options] KERNEL INITRD OUTDIR" >&2; exit 2; }
kernel=$1 initrd=$2 out=$3
label=${label:-$(basename "$kernel")}
mkdir -p "$out"

# TCG unless KVM is usable; the tests never assert on absolute times.
accel=$("$(dirname "$0")/accel.sh" "$kernel")

# Splats that fail a run whatever the tests said.
# Not a bare "lockdep": debug kernels print "RCU lockdep checking is
# enabled" at every boot; lockdep's reports start with these lines.
splat='BUG:|WARNING:|KASAN|UBSAN|possible (recursive|circular) locking|inconsistent lock state|suspicious RCU usage|lockdep is turned off|sleeping function|Oops|Kernel panic|general protection|kmemleak: .*new suspected'

# Under TCG, tests run the two vCPUs in one host thread (thread=single):
# with a thread per vCPU, the kernel's live text patching (text_poke_bp,
# as when a perf event switches a static key on) is not coherent between
# vCPUs, and a vCPU can hit a stale int3 ("Oops: int3" in __schedule, seen
# here). The bench keeps a thread per vCPU, so its two cores run at once;
# kipc bench switches those keys only once per run (tools/bench/counters.c).
qaccel=$accel
[ "$accel" != tcg ] || [ "$mode" = bench ] || qaccel=tcg,thread=single
qemu=(qemu-system-x86_64 -accel "$qaccel" -m "$mem" -smp 2 -nodefaults
      -display none -no-reboot -kernel "$kernel" -initrd "$initrd")

if [ $shell -eq 1 ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial "file:$out/report.log" \
		-append "console=ttyS0 kipc.mode=shell $append"
fi

rm -f "$out"/{console.log,report.log,report.txt,counts,splats.txt}
echo "vm[$label]: booting ($qaccel), logs in $out" >&2
start=$(date +%s)
rc=0
timeout -s KILL "$timeout_s" "${qemu[@]}" \
	-serial "file:$out/console.log" -serial "file:$out/report.log" \
	-append "console=ttyS0 panic=-1 kipc.mode=$mode $append" \
	</dev/null >"$out/qemu.log" 2>&1 &
vm=$!
# timeout runs qemu in a process group of its own, out of reach of ^C:
# stop it if this script is stopped.
trap 'kill $vm 2>/dev/null' EXIT
# Follow the report while qemu runs; tail ends once qemu has exited and
# it has read the rest.
tail --pid=$vm -n +1 -F "$out/report.log" 2>/dev/null |
	sed -un 's/\r$//; s/^KIPC-PROGRESS //p' >&2 || true
wait $vm || rc=$?
trap - EXIT
echo "vm[$label]: finished in $(( $(date +%s) - start )) s (qemu exit $rc)" >&2

tr -d '\r' < "$out/report.log" > "$out/report.txt"

# Parse the report. Each test binary is judged from its KTAP lines: a
# result per planned test, "not ok" fails, "# SKIP" skips, and a binary that
# exits abnormally or reports fewer results than it planned fails too.
awk -v label="$label" -v countsfile="$out/counts" '
function result(kind, name) {
	printf "%-4s %s: %s\n", kind, label, name
	if (kind == "PASS") pass++
	else if (kind == "FAIL") fail++
	else skip++
}
/^KIPC-BEGIN / { begun = 1 }
/^KIPC-STEP / {
	name = $2; st = $3; $1 = $2 = $3 = ""; sub(/^ +/, "")
	detail = $0 == "" ? "" : " (" $0 ")"
	result(st == "ok" ? "PASS" : st == "skip" ? "SKIP" : "FAIL", "step " name detail)
}
/^KIPC-LEAK / { sub(/^KIPC-LEAK /, ""); print "     " $0 }
/^KIPC-TEST / { bin = $2; planned = -1; seen = 0; failed = 0; next }
/^KIPC-EXIT / {
	rc = $3
	if (planned < 0)
		result("FAIL", bin " (no KTAP plan; exit " rc ")")
	else if (seen != planned)
		result("FAIL", bin " (" seen " of " planned " results; exit " rc ")")
	else if (rc != 0 && rc != 4 && !failed)
		result("FAIL", bin " (exit " rc ")")
	bin = ""
	next
}
bin != "" && /^1\.\.[0-9]+/ { planned = substr($1, 4) + 0; next }
bin != "" && /^(not )?ok [0-9]+ / {
	seen++
	line = $0
	nm = line
	sub(/^(not )?ok [0-9]+ /, "", nm)
	if (line ~ /^not ok/) {
		failed = 1
		result("FAIL", bin "." nm)
	} else if (nm ~ /# SKIP/) {
		result("SKIP", bin "." nm)
	} else {
		result("PASS", bin "." nm)
	}
	next
}
# Why a test failed: the assertion and failure lines of the harness.
bin != "" && /^# .*(Expected|FAIL|: Test (failed|terminated)|[Tt]imeout)/ { print "     " $0 }
/^KIPC-DONE/ { done = 1 }
END {
	if (!begun)
		result("FAIL", "VM started the test run (no KIPC-BEGIN)")
	if (!done)
		result("FAIL", "VM finished (no KIPC-DONE: panic, hang or timeout)")
	print pass + 0, fail + 0, skip + 0 > countsfile
}' "$out/report.txt"

read -r passed failed skipped < "$out/counts"

# The kernel log is checked here, from outside, so a splat that hits after
# the tests (rmmod, kmemleak) or that kills the VM is still seen.
if grep -Ea "$splat" "$out/console.log" \
	> "$out/splats.txt"; then
	echo "FAIL $label: kernel log has splats:"
	head -n 40 "$out/splats.txt" | sed 's/^/     /'
	failed=$((failed + 1))
else
	echo "PASS $label: kernel log clean"
	passed=$((passed + 1))
fi
echo "$passed $failed $skipped" > "$out/counts"
echo "vm[$label]: $passed passed, $failed failed, $skipped skipped" >&2
[ "$failed" -eq 0 ]
