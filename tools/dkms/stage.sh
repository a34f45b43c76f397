#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stage.sh DIR VERSION
#
# Lay out the module's DKMS source tree in DIR: dkms.conf for VERSION, and
# Kbuild and kmod/ as they are in this tree (the module builds from those
# alone). DIR is replaced if it exists.
set -euo pipefail
cd "$(dirname "$0")/../.."

dir=$1 version=$2
[ -n "$dir" ] && [ -n "$version" ] || { echo "usage: stage.sh DIR VERSION" >&2; exit 2; }
rm -rf "$dir"
mkdir -p "$dir"
cp -r Kbuild kmod "$dir/"
sed "s/@VERSION@/$version/" tools/dkms/dkms.conf.in > "$dir/dkms.conf"
echo "dkms: kipc $version staged in $dir"
