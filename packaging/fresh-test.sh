#!/bin/sh
# packaging/fresh-test.sh - the README's set-up on a fresh Debian 12 machine
# (`make fresh-test`; root, not part of `make check`).
#
# A Debian 12 root made by `debootstrap --variant=minbase bookworm` (kept in
# build/fresh/base, so reruns do not download it again), copied afresh for
# each run, gets the Google Cloud SDK of this machine (/usr/lib/google-cloud-sdk
# and the /usr/bin/gcloud link), a clean clone of this repository's HEAD in
# /root/src/gcloud-run-deploy and a copy of ../shared beside it.  There, under
# chroot with a clean environment (env -i), it runs
#   1. the commands of the README's first sh block, verbatim, as root;
#   2. PREFIX=$HOME/.local ./install.sh as a user without sudo, who then runs
#      the tool from ~/.local and must own every file in the home folder;
#      and PREFIX=/opt/grd ./install.sh, which must stop and say why.
# Output: build/fresh/log (all of it); the summary on stdout.  Exit 0 when
# both pass.  The root itself is /var/tmp/gcloud-run-deploy-fresh/root
# (FRESH_ROOT), removed at the end.
#   DEBIAN_MIRROR  the archive (default: the first Debian URI in
#                  /etc/apt/sources.list*, else http://deb.debian.org/debian)
#   SDK            /usr/lib/google-cloud-sdk    SHARED  ../shared
#   FRESH_KEEP=yes keep the root afterwards (unmounted)
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
W=$TOP/build/fresh
BASE=$W/base
# The root, with /proc and /dev mounted in it, is kept out of the tree, where
# a `make clean` (rm -rf build) would go down into the host's /dev.
R=${FRESH_ROOT:-/var/tmp/gcloud-run-deploy-fresh}/root
LOG=$W/log
SDK=${SDK:-/usr/lib/google-cloud-sdk}
SHARED=${SHARED:-$TOP/../shared}
[ "$(id -u)" -eq 0 ] || { echo "fresh-test: needs root (debootstrap, chroot)" >&2; exit 2; }
for p in debootstrap chroot git; do
	command -v $p >/dev/null 2>&1 ||
		{ echo "fresh-test: $p is not installed" >&2; exit 2; }
done
[ -x "$SDK/bin/gcloud" ] || { echo "fresh-test: no SDK at $SDK" >&2; exit 2; }
mkdir -p "$W" "$(dirname "$R")"

# The mirror the machine's apt uses for Debian itself.
mirror() {
	[ -n "${DEBIAN_MIRROR:-}" ] && { echo "$DEBIAN_MIRROR"; return; }
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
	    /etc/apt/sources.list.d/*.list 2>/dev/null |
	    sed -n 's|^URIs: *\([^ ]*/debian\)/*$|\1|p
		s|^deb  *\(\[[^]]*\]  *\)\{0,1\}\([^ ]*/debian\)/* .*|\2|p' |
	    head -1)
	echo "${m:-http://deb.debian.org/debian}"
}
MIRROR=$(mirror)

# Nothing may be mounted below $R when it is removed.
unmount() {
	for m in $(awk -v r="$R/" 'index($2, r) == 1 { print $2 }' \
	    /proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || :
	done
}
remove_root() {
	unmount
	if awk -v r="$R/" 'index($2, r) == 1 { f = 1 } END { exit !f }' \
	    /proc/mounts; then
		echo "fresh-test: still mounted below $R: not removed" >&2
		return 1
	fi
	rm -rf --one-file-system "$R"
}
finish() {
	unmount
	[ "${FRESH_KEEP:-no}" = yes ] || remove_root
}
trap finish EXIT
trap 'exit 130' INT TERM

if [ ! -f "$BASE/.fresh-base" ]; then
	echo "# debootstrap --variant=minbase bookworm $MIRROR (cached in $BASE)"
	rm -rf --one-file-system "$BASE.tmp"
	debootstrap --variant=minbase bookworm "$BASE.tmp" "$MIRROR" \
		>"$W/debootstrap.log" 2>&1 ||
		{ tail -20 "$W/debootstrap.log"; exit 1; }
	# A machine's apt also has the updates and the security archive.
	sec=$(echo "$MIRROR" | sed 's,/debian$,/debian-security,')
	cat >"$BASE.tmp/etc/apt/sources.list" <<-EOF
	deb $MIRROR bookworm main
	deb $MIRROR bookworm-updates main
	deb $sec bookworm-security main
	EOF
	rm -rf "$BASE"
	mv "$BASE.tmp" "$BASE"
	touch "$BASE/.fresh-base"
fi

remove_root
echo "# a fresh root: $R"
cp -a "$BASE" "$R"
rm -f "$R/.fresh-base"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || :
grep -q localhost "$R/etc/hosts" 2>/dev/null ||
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$R/etc/hosts"
echo "# the Google Cloud SDK: $SDK and /usr/bin/gcloud"
mkdir -p "$R$(dirname "$SDK")"
cp -a "$SDK" "$R$SDK"
ln -sf "$(readlink /usr/bin/gcloud || echo "$SDK/bin/gcloud")" "$R/usr/bin/gcloud"
SRC=$R/root/src
mkdir -p "$SRC"
rev=$(git -C "$TOP" rev-parse HEAD)
echo "# a clean clone of $rev"
[ -z "$(git -C "$TOP" status --porcelain)" ] ||
	echo "# (the worktree has uncommitted changes: they are not tested)"
git clone -q --no-local "$TOP" "$SRC/gcloud-run-deploy"
git -C "$SRC/gcloud-run-deploy" checkout -q --detach "$rev"
if [ -d "$SHARED" ]; then
	cp -a "$SHARED" "$SRC/shared"
else
	echo "# no $SHARED: the tests run without the shared corpus"
fi
# The README's first sh block, as it stands in the clone.
awk '/^```sh$/ && !n { n = 1; next } n && /^```$/ { exit } n { print }' \
	"$SRC/gcloud-run-deploy/README.md" >"$SRC/readme-commands"
[ -s "$SRC/readme-commands" ] ||
	{ echo "fresh-test: no sh block in README.md" >&2; exit 1; }
echo "# the README's commands:"
sed 's/^/#   /' "$SRC/readme-commands"

mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount --make-rslave "$R/dev"

PATHS=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# in_root USER HOME CMD: CMD under sh -c in the root, clean environment.
in_root() {
	chroot --userspec="$1:$1" "$R" /usr/bin/env -i HOME="$2" USER="$1" \
		LOGNAME="$1" SHELL=/bin/sh PATH="$PATHS" /bin/sh -c "$3"
}
: >"$LOG"
t0=$(date +%s)
set +e
in_root root /root 'cd /root/src/gcloud-run-deploy && set -ex &&
	. ../readme-commands' >>"$LOG" 2>&1
rc1=$?
t1=$(date +%s)

# A user without sudo installs into ~/.local (the packages are there now).
in_root root /root 'useradd -m -s /bin/sh dev &&
	cp -a /root/src /home/dev/src && chown -R dev:dev /home/dev/src &&
	rm -rf /home/dev/src/gcloud-run-deploy/build' >>"$LOG" 2>&1
in_root dev /home/dev 'set -ex
	! command -v sudo
	cd ~/src/gcloud-run-deploy && PREFIX=$HOME/.local ./install.sh
	~/.local/bin/gcloud-run-deploy --version
	test -L ~/.local/libexec/gcloud-run-deploy/gcloud
	test -f ~/.local/share/man/man1/gcloud-run-deploy.1
	test -z "$(find ~ ! -user dev | head -5)"
	# A prefix the user cannot write, and no sudo: a clear refusal.
	if PREFIX=/opt/grd ./install.sh 2>err; then exit 1; fi
	cat err
	grep -q "cannot write /opt/grd/bin and there is no sudo" err
	test ! -e /opt/grd' >>"$LOG" 2>&1
rc2=$?
t2=$(date +%s)
set -e

echo "# output tail (all in $LOG):"
tail -25 "$LOG"
echo "# 1. README commands as root: exit $rc1, $((t1 - t0)) s"
grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$LOG" | sed 's/^/#    /'
grep -E '^(not ok|SKIP) - ' "$LOG" | sed 's/^/#    /' | head -40
echo "# 2. PREFIX=\$HOME/.local ./install.sh as a user without sudo:" \
    "exit $rc2, $((t2 - t1)) s"
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]
