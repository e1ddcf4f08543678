#!/bin/sh
# t94-deb.sh - `make deb`: the package's name, fields and files; Depends
# covers every library the binary links and libcurl4 (dlopen()ed); lintian
# reports nothing; `dpkg -i` into a scratch root (dpkg --root) installs the
# binary, the man page, the completion and the wrapper link, which then run:
# plan mode through both names, and the demo against the installed binary.
# `dpkg -r` takes every file away again.  Also deps/apt.sh, which installs
# the packages for install.sh: no apt, no root, sudo.  The package is built
# once, in the plain pass: the sanitizer pass SKIPs this script.
. "$(dirname "$0")/lib.sh"

PKG=gcloud-run-deploy
if ! command -v dpkg-deb >/dev/null 2>&1; then
	skip "t94: dpkg-deb is not installed (not Debian?): NO PACKAGE TEST"
	done_testing
	exit
fi
if grep -q __asan_init "$SHIM" 2>/dev/null; then
	skip "t94: $SHIM is a sanitizer build; the package is tested in the plain pass"
	done_testing
	exit
fi
VERSION=$(sed -n 's/^VERSION = //p' "$TOP/Makefile")
ARCH=$(dpkg --print-architecture)
DEB=$T/b/${PKG}_${VERSION}_$ARCH.deb

# ------------------------------------------------ make deb
if make -s -C "$TOP" deb B="$T/b" >"$T/make.log" 2>&1 && [ -f "$DEB" ]; then
	ok "make deb builds ${PKG}_${VERSION}_$ARCH.deb"
else
	not_ok "make deb builds ${PKG}_${VERSION}_$ARCH.deb" \
		"$(tail -5 "$T/make.log")" "$(ls "$T/b" 2>&1)"
	done_testing
	exit
fi
dpkg-deb -f "$DEB" >"$T/control"
for f in "Package: $PKG" "Version: $VERSION" "Architecture: $ARCH" \
    "Section: utils" "Priority: optional"; do
	grep_file "control: $f" "$T/control" "^$f\$"
done
grep_file "control: a Maintainer with an address" "$T/control" '^Maintainer: .+ <[^@ ]+@[^@ ]+>$'
grep_file "control: a one-line Description" "$T/control" '^Description: .{10,80}$'
grep_file "control: Installed-Size" "$T/control" '^Installed-Size: [1-9][0-9]*$'

# Depends: a package for each library the binary needs, and libcurl4.
dep=$(sed -n 's/^Depends: //p' "$T/control")
dpkg-deb -x "$DEB" "$T/x"
miss=
for so in $(readelf -d "$T/x/usr/bin/$PKG" |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	f=$(ldd "$T/x/usr/bin/$PKG" | awk -v s="$so" '$1 == s { print $3 }')
	p=$(dpkg -S "$(readlink -f "$f")" 2>/dev/null | sed 's/:.*//' | head -1)
	[ -n "$p" ] || p=$(dpkg -S "$f" 2>/dev/null | sed 's/:.*//' | head -1)
	printf '%s\n' "$dep" | tr ',' '\n' | grep -q "^ *${p:-?$so}\( \|$\)" ||
		miss="$miss ${p:-?$so}"
done
if [ -z "$miss" ]; then ok "Depends: every library the binary links ($dep)"
else not_ok "Depends: every library the binary links" "missing:$miss" "Depends: $dep"; fi
if printf '%s\n' "$dep" | grep -Eq '(^|, )libcurl4 \(>= 7\.[0-9.]+\)(,|$)'; then
	ok "Depends: libcurl4 with a version (opened with dlopen)"
else not_ok "Depends: libcurl4 (>= ...)" "Depends: $dep"; fi
case " $(readelf -d "$T/x/usr/bin/$PKG") " in
*libcurl*) not_ok "the packaged binary does not link libcurl (dlopen)" ;;
*) ok "the packaged binary does not link libcurl (dlopen)" ;;
esac
readelf -S "$T/x/usr/bin/$PKG" >"$T/sections"
grep_not "the packaged binary is stripped (no .symtab)" "$T/sections" '\.symtab'

# ------------------------------------------------ lintian
if command -v lintian >/dev/null 2>&1; then
	lintian -I --pedantic --tag-display-limit 0 "$DEB" >"$T/lintian" 2>&1
	sed -i '/^running with root privileges is not recommended!$/d' "$T/lintian"
	if [ ! -s "$T/lintian" ]; then ok "lintian -I --pedantic: no tags"
	else not_ok "lintian -I --pedantic: no tags" "$(cat "$T/lintian")"; fi
else
	skip "t94: lintian is not installed (deps/debian-test.txt): NO LINTIAN"
fi

# ------------------------------------------------ dpkg -i into a scratch root
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/log"
: >"$R/var/lib/dpkg/status"
# The scratch root has no libc6 &c. registered: --force-depends.
if dpkg --root="$R" --force-depends --force-not-root -i "$DEB" \
    >"$T/dpkg.log" 2>&1; then
	ok "dpkg -i into a scratch root"
else not_ok "dpkg -i into a scratch root" "$(tail -5 "$T/dpkg.log")"; fi
for f in usr/bin/$PKG usr/share/man/man1/$PKG.1.gz \
    usr/share/bash-completion/completions/$PKG \
    usr/share/doc/$PKG/copyright usr/share/doc/$PKG/changelog.gz \
    usr/share/$PKG/report.schema.json; do
	if [ -f "$R/$f" ]; then ok "installed: /$f"; else not_ok "installed: /$f"; fi
done
if [ -L "$R/usr/libexec/$PKG/gcloud" ] &&
    [ "$(readlink "$R/usr/libexec/$PKG/gcloud")" = ../../bin/$PKG ]; then
	ok "installed: the wrapper link /usr/libexec/$PKG/gcloud -> ../../bin/$PKG"
else not_ok "the wrapper link" "$(ls -l "$R/usr/libexec/$PKG" 2>&1)"; fi
grep_file "dpkg lists the package as installed" "$R/var/lib/dpkg/status" \
	"^Package: $PKG\$"

# The installed files at work.
run "$R/usr/bin/$PKG" --version
expect_rc "installed binary: --version" 0
grep_file "installed binary: its version" "$T/out" "^$PKG $VERSION\$"
IMG=us-central1-docker.pkg.dev/p1/apps/api:1
for exe in "$R/usr/bin/$PKG" "$R/usr/libexec/$PKG/gcloud"; do
	case $exe in */gcloud) args="run deploy"; n=wrapper ;; *) args=; n=binary ;; esac
	# shellcheck disable=SC2086
	run env GCLOUD_RUN_DEPLOY_GCLOUD=/bin/false "$exe" --preflight=plan \
		$args api --image=$IMG --region=us-central1 --project=p1
	expect_rc "installed $n: plan mode" 0
	grep_file "installed $n: the plan names the repository" "$T/out" \
		'projects/p1/locations/us-central1/repositories/apps'
done
if zcat "$R/usr/share/man/man1/$PKG.1.gz" | mandoc -Tutf8 2>"$T/man.err" |
    grep -q 'gcloud-run-deploy'; then
	ok "installed man page renders (mandoc)"
else not_ok "installed man page renders" "$(cat "$T/man.err")"; fi
if bash -c '. "$1" && complete -p gcloud-run-deploy' _ \
    "$R/usr/share/bash-completion/completions/$PKG" >"$T/comp" 2>&1; then
	ok "installed completion defines one for gcloud-run-deploy"
else not_ok "installed completion" "$(cat "$T/comp")"; fi

if [ -x /usr/bin/gcloud ] && command -v python3 >/dev/null 2>&1 &&
    command -v openssl >/dev/null 2>&1; then
	mkdir -p "$T/tmp"
	run env TMPDIR="$T/tmp" timeout 300 sh "$TOP/tools/demo.sh" "$R/usr/bin/$PKG"
	expect_rc "the demo against the installed binary exits 0" 0
	grep_file "... one deploy blocked" "$T/out" '-> blocked \(exit 77\)'
	grep_file "... one deployed" "$T/out" '-> deployed \(exit 0\)'
else
	skip "t94: the demo needs /usr/bin/gcloud, python3 and openssl"
fi

# ------------------------------------------------ deps/apt.sh (install.sh's)
# On PATH: stand-ins for dpkg-query (nothing installed), apt-get and sudo
# (they record their arguments), id (not root); the real tools otherwise.
mkdir -p "$T/fk" "$T/noapt"
printf '#!/bin/sh\nexit 1\n' >"$T/fk/dpkg-query"
printf '#!/bin/sh\necho "$*" >>"%s/apt-calls"\n' "$T" >"$T/fk/apt-get"
printf '#!/bin/sh\necho "$*" >>"%s/sudo-calls"\nexec "$@"\n' "$T" >"$T/fk/sudo"
printf '#!/bin/sh\necho 1000\n' >"$T/fk/id"
chmod +x "$T/fk/"*
for p in sh sed tr dirname cat grep; do ln -s "$(command -v $p)" "$T/noapt/$p"; done
ln -s "$T/fk/id" "$T/noapt/id"
APT=$TOP/deps/apt.sh
run env PATH="$T/noapt" /bin/sh "$APT" build test
expect_rc "apt.sh, no apt: exit 1" 1
grep_file "... names the build packages" "$T/err" '^  libcjson-dev$'
grep_file "... and the test packages" "$T/err" '^  libcmocka-dev$'
mv "$T/fk/sudo" "$T/sudo.off"
run env PATH="$T/fk:/usr/bin:/bin" sh "$APT" build
expect_rc "apt.sh, not root, no sudo, packages missing: exit 1" 1
grep_file "... says what to run as root" "$T/err" \
	'^  apt-get install build-essential pkg-config libcurl4-openssl-dev libcjson-dev libbsd-dev libyaml-dev libsqlite3-dev$'
if [ ! -f "$T/apt-calls" ]; then ok "... and runs no apt-get"
else not_ok "... and runs no apt-get" "$(cat "$T/apt-calls")"; fi
mv "$T/sudo.off" "$T/fk/sudo"
run env PATH="$T/fk:/usr/bin:/bin" sh "$APT" test
expect_rc "apt.sh, not root, with sudo: exit 0" 0
# the whole test list, in its order, as deps/debian-test.txt has it
want=$(sed 's/#.*//' "$TOP/deps/debian-test.txt" | tr -s ' \t\n' '   ' |
	sed 's/^ *//; s/ *$//')
if [ "$(cat "$T/sudo-calls" 2>/dev/null | wc -l)" -eq 2 ] &&
    grep -qxF "env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $want" "$T/sudo-calls"; then
	ok "... apt-get update and install through sudo, the test list"
else not_ok "... apt-get through sudo" "$(cat "$T/sudo-calls" 2>&1)"; fi
run env PATH="$T/fk:/usr/bin:/bin" sh "$APT" -n build
expect_rc "apt.sh -n: exit 1 when some are missing" 1
grep_file "... one a line" "$T/out" '^libyaml-dev$'
run sh "$APT" -n build test
expect_rc "apt.sh -n here: every listed package is installed" 0
run sh "$APT" nosuchlist
expect_rc "apt.sh: an unknown list is exit 2" 2

# ------------------------------------------------ dpkg -r
if dpkg --root="$R" --force-depends --force-not-root -r "$PKG" \
    >"$T/dpkg.log" 2>&1; then
	ok "dpkg -r"
else not_ok "dpkg -r" "$(tail -5 "$T/dpkg.log")"; fi
left=$(cd "$R" && find usr -type f -o -type l 2>/dev/null | head -5)
if [ -z "$left" ]; then ok "dpkg -r leaves no file behind"
else not_ok "dpkg -r leaves no file behind" "$left"; fi
done_testing
