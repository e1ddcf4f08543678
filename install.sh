#!/bin/sh
# install.sh - install the build and test dependencies (Debian: the lists in
# deps/), build, install, and run the installed tool once.
#   ./install.sh                       installs under /usr/local
#   PREFIX=$HOME/.local ./install.sh   installs under your home, no root
#   INSTALL_TEST_DEPS=no ./install.sh  only what building needs
# Root (directly, or through sudo) is used only for what needs it: apt-get,
# and `make install` into a PREFIX you cannot write.  Without apt the
# packages are named, and the build goes ahead when they are there.
set -eu
cd "$(dirname "$0")"
PREFIX=${PREFIX:-/usr/local}
case $PREFIX in
/*) ;;
*) echo "install.sh: PREFIX must be an absolute path: $PREFIX" >&2; exit 2 ;;
esac
lists=build
[ "${INSTALL_TEST_DEPS:-yes}" = no ] || lists="build test"

# shellcheck disable=SC2086
if ! sh deps/apt.sh $lists; then
	# No apt, or no way to root: go on only if the build can.
	if pkg-config --exists libcurl libcjson libbsd-overlay yaml-0.1 \
	    sqlite3 2>/dev/null && command -v make >/dev/null 2>&1; then
		echo "install.sh: building with the libraries found by" \
		    "pkg-config; \`make check\` needs the rest" >&2
	else
		exit 1
	fi
fi

# writable DIR: DIR, or the nearest folder above it that exists, is ours.
writable() {
	w_dir=$1
	while [ ! -e "$w_dir" ]; do w_dir=$(dirname "$w_dir"); done
	[ -d "$w_dir" ] && [ -w "$w_dir" ]
}

make
SUDO=
for d in bin libexec share/man/man1 share/bash-completion/completions; do
	writable "$PREFIX/$d" && continue
	if [ "$(id -u)" -eq 0 ]; then
		break
	elif command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
		echo "install.sh: $PREFIX is not writable: make install with sudo" >&2
		break
	fi
	echo "install.sh: cannot write $PREFIX/$d and there is no sudo;" \
	    "try PREFIX=\$HOME/.local ./install.sh" >&2
	exit 1
done
$SUDO make install PREFIX="$PREFIX"

# Run what was installed, not what was built.
"$PREFIX/bin/gcloud-run-deploy" --version
echo "installed: $PREFIX/bin/gcloud-run-deploy"
echo "wrapper:   $PREFIX/libexec/gcloud-run-deploy/gcloud"
case ":$PATH:" in
*":$PREFIX/bin:"*) ;;
*) echo "note: $PREFIX/bin is not on PATH; add it, e.g. in ~/.profile:" \
    "PATH=\"$PREFIX/bin:\$PATH\"" ;;
esac
