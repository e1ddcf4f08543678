#!/bin/sh
# install.sh - install the build dependencies (Debian), build, install.
#   ./install.sh                 installs under /usr/local
#   PREFIX=$HOME/.local ./install.sh
# Needs root (or sudo) for apt-get and for a system PREFIX.
set -eu
cd "$(dirname "$0")"
PREFIX=${PREFIX:-/usr/local}
DEPS="build-essential pkg-config libcurl4-openssl-dev libcjson-dev libbsd-dev libyaml-dev libsqlite3-dev"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=
for p in $DEPS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
make
$SUDO make install PREFIX="$PREFIX"
echo "installed: $PREFIX/bin/gcloud-run-deploy"
echo "wrapper:   $PREFIX/libexec/gcloud-run-deploy/gcloud"
