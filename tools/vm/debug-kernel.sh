#!/usr/bin/env bash
# Build (once) the kipc debug kernel and print its build directory.
#
# The kernel is Debian's linux-source-6.1, configured as
#   make ARCH=x86_64 allnoconfig + tools/vm/debug.config
# and cached outside the work tree, keyed by the source package version and the
# fragment's hash:
#   ${KIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kipc}/linux-<version>-<sha12>/
# A finished tree is marked with .kipc-built; later runs just print its path.
# The tree also supports external module builds (make -C <dir> M=<mod> modules).
#
# Usage:  KDIR=$(tools/vm/debug-kernel.sh | tail -1)
#         qemu-system-x86_64 -kernel "$KDIR/arch/x86/boot/bzImage" ...
#
# stdout: only the kernel dir (last line).  stderr: "debug-kernel:" progress.
# Build output goes to <cache>/linux-<version>-<sha12>.log (tail shown on error).
#
# Environment:
#   KIPC_CACHE          cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/kipc)
#   KIPC_LINUX_TARBALL  source tarball (default /usr/src/linux-source-6.1.tar.xz)
#   KIPC_JOBS           make -j value (default: nproc)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment=$here/debug.config
tarball=${KIPC_LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cache=${KIPC_CACHE:-${XDG_CACHE_HOME:-${HOME:?is unset; set KIPC_CACHE}/.cache}/kipc}
jobs=${KIPC_JOBS:-$(nproc)}
arch=x86_64

log() { echo "debug-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

# --- Work out the cache key -------------------------------------------------
[[ -r $fragment ]] || die "missing config fragment $fragment"
[[ -r $tarball ]] || die "missing $tarball (install linux-source-6.1: make deps)"
version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "linux-source-6.1 is not installed (make deps)"
version=${version//[^A-Za-z0-9.+_-]/_}
hash=$(sha256sum "$fragment" | cut -c1-12)
key=linux-$version-$hash
dir=$cache/$key
buildlog=$cache/$key.log

# Fast path: already built.
if [[ -e $dir/.kipc-built ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"

# --- Serialise concurrent builders of the same key --------------------------
exec 9>"$cache/$key.lock"
if ! flock -n 9; then
	log "another build of $key is running; waiting for it"
	flock 9
fi
if [[ -e $dir/.kipc-built ]]; then	# it finished while we waited
	echo "$dir"
	exit 0
fi

# Run a build step with its output appended to the log; on failure show the
# log's tail and stop. stdin is /dev/null so nothing can ever prompt.
run() {
	log "$*"
	if ! "$@" </dev/null >>"$buildlog" 2>&1; then
		log "FAILED: $*"
		log "last lines of $buildlog:"
		tail -n 40 "$buildlog" >&2
		exit 1
	fi
}

start=$SECONDS
: >"$buildlog"
log "building debug kernel in $dir (log: $buildlog)"

# --- Unpack the source ---------------------------------------------------------
# Extract into a temp dir next to the final one and rename it into place, so
# $dir only ever exists as a complete source tree. A later failure leaves $dir
# without .kipc-built, and the next run resumes the (incremental) build there.
rm -rf "$cache/.$key".tmp.*	# leftovers of interrupted extractions
if [[ ! -d $dir ]]; then
	tmp=$(mktemp -d "$cache/.$key.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	run tar -xf "$tarball" -C "$tmp" --strip-components=1
	chmod 755 "$tmp"
	mv -T "$tmp" "$dir"
	trap - EXIT
fi
cd "$dir"

# --- Configure --------------------------------------------------------------------
cp "$fragment" kipc-debug.config	# record what this tree was built from
run make ARCH=$arch allnoconfig
run scripts/kconfig/merge_config.sh -m .config kipc-debug.config
run make ARCH=$arch olddefconfig

# Every setting of the fragment must have survived olddefconfig; a dropped one
# means a typo or an unmet dependency that has to be added to the fragment.
dropped=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" .config || dropped+=("$line")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" .config || dropped+=("$line")
		;;
	esac
done <kipc-debug.config
if ((${#dropped[@]})); then
	log "these fragment settings were dropped by olddefconfig:"
	for line in "${dropped[@]}"; do
		sym=${line#\# }
		sym=${sym%%[= ]*}
		now=$(grep -E "^(# )?${sym}[= ]" .config || echo "absent")
		log "  $line   (final .config: $now)"
	done
	die "fix $fragment (check the symbols' dependencies)"
fi
log "config OK: all fragment settings present"

# --- Build --------------------------------------------------------------------------
# bzImage for qemu; 'modules' runs modules_prepare (scripts/mod/modpost etc.)
# and writes Module.symvers, which external module builds (M=...) need.
run make ARCH=$arch -j"$jobs" bzImage modules
[[ -f arch/x86/boot/bzImage && -f Module.symvers ]] ||
	die "build finished but bzImage or Module.symvers is missing"

touch .kipc-built
log "done in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s"
echo "$dir"
