#!/bin/sh
# deps/apt.sh [-n] LIST... - install the Debian packages of deps/debian-LIST.txt
# (LIST: build, test) that are not installed yet.
#   -n   only print the missing ones, one a line; exit 1 when some are.
# apt-get runs as root: directly when we are root, else through sudo.  With
# neither (or on a system without dpkg and apt-get) it prints the packages
# to install by name and exits 1; so does -n when something is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dry=no
if [ "${1:-}" = -n ]; then dry=yes; shift; fi
[ $# -gt 0 ] || { echo "usage: deps/apt.sh [-n] build|test..." >&2; exit 2; }

for l in "$@"; do
	[ -f "$here/debian-$l.txt" ] ||
		{ echo "deps/apt.sh: no list deps/debian-$l.txt" >&2; exit 2; }
done
# pkgs LIST: the package names of a list, without comments.
pkgs() {
	sed 's/#.*//' "$here/debian-$1.txt" | tr -s ' \t' '\n\n' | sed '/^$/d'
}

all=
for l in "$@"; do all="$all $(pkgs "$l" | tr '\n' ' ')"; done

if ! command -v dpkg-query >/dev/null 2>&1 ||
    ! command -v apt-get >/dev/null 2>&1; then
	echo "deps/apt.sh: no apt here. Install these packages (Debian names;" \
	    "the same libraries under your system's names):" >&2
	for p in $all; do echo "  $p" >&2; done
	exit 1
fi

missing=
for p in $all; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$dry" = yes ]; then
	for p in $missing; do echo "$p"; done
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
	echo "deps/apt.sh: installing with sudo:$missing" >&2
else
	echo "deps/apt.sh: these packages are missing and installing them" \
	    "needs root (no sudo here); as root run:" >&2
	echo "  apt-get install$missing" >&2
	exit 1
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq --no-install-recommends $missing
