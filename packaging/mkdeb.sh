#!/bin/sh
# packaging/mkdeb.sh VERSION OUTDIR - build OUTDIR/gcloud-run-deploy_VERSION_ARCH.deb
# (`make deb`): a build with Debian's hardening flags in OUTDIR/deb-build, a
# staged `make install DESTDIR=... PREFIX=/usr`, the documentation Debian
# wants, Depends from dpkg-shlibdeps plus libcurl4 (opened with dlopen(), so
# no tool can see it: its version is the newest of the symbols src/net/curlfn.c
# looks up, from libcurl4's symbols file), then dpkg-deb --build.
set -eu
[ $# -eq 2 ] || { echo "usage: packaging/mkdeb.sh VERSION OUTDIR" >&2; exit 2; }
VERSION=$1
TOP=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
PKG=gcloud-run-deploy
ARCH=$(dpkg --print-architecture)
MAKE=${MAKE:-make}
OB=$OUT/deb-build
S=$OUT/deb-stage
W=$OUT/deb-work
DEB=$OUT/${PKG}_${VERSION}_$ARCH.deb
cd "$TOP"
head -1 packaging/changelog | grep -qF "$PKG ($VERSION) " || {
	echo "mkdeb: packaging/changelog has no entry for $VERSION on top" >&2
	exit 1
}

# Debian's hardening flags (PIE, fortify, stack protector, relro, now).
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)
$MAKE -s B="$OB" CFLAGS="$cflags" LDFLAGS="$ldflags" all
rm -rf "$S" "$W"
mkdir -p "$S/DEBIAN" "$W/debian"
$MAKE -s B="$OB" CFLAGS="$cflags" LDFLAGS="$ldflags" install \
	DESTDIR="$S" PREFIX=/usr
strip --remove-section=.comment --remove-section=.note \
	"$S/usr/bin/$PKG"
gzip -9n "$S/usr/share/man/man1/$PKG.1"
doc=$S/usr/share/doc/$PKG
install -d "$doc"
install -m 644 packaging/copyright "$doc/copyright"
gzip -9nc packaging/changelog >"$doc/changelog.gz"
if [ -s packaging/lintian-overrides ]; then
	install -d "$S/usr/share/lintian/overrides"
	install -m 644 packaging/lintian-overrides \
		"$S/usr/share/lintian/overrides/$PKG"
fi

# Depends: what the binary links, then libcurl.
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PKG" "$PKG" \
	>"$W/debian/control"
(cd "$W" && dpkg-shlibdeps -O "$S/usr/bin/$PKG") >"$W/substvars"
shdeps=$(sed -n 's/^shlibs:Depends=//p' "$W/substvars")
symbols=$(dpkg-query --control-path "libcurl4:$ARCH" symbols 2>/dev/null) || :
[ -f "$symbols" ] ||
	{ echo "mkdeb: no symbols file of libcurl4 (is it installed?)" >&2; exit 1; }
cmin=0
for s in $(sed -n 's/^[[:space:]]*S([a-z_]*, "\(curl_[a-z_]*\)"),$/\1/p' \
    src/net/curlfn.c); do
	v=$(sed -n "s/^ $s@[^ ]* \([^ ]*\).*/\1/p" "$symbols")
	[ -n "$v" ] || { echo "mkdeb: $s is not in $symbols" >&2; exit 1; }
	dpkg --compare-versions "$v" gt "$cmin" && cmin=$v
done
[ "$cmin" != 0 ] || { echo "mkdeb: no curl symbols in src/net/curlfn.c" >&2; exit 1; }
depends="$shdeps, libcurl4 (>= $cmin)"

size=$(du -sk --exclude=DEBIAN "$S" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" \
	-e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
	packaging/control.in >"$S/DEBIAN/control"
(cd "$S" && find usr -type f -print0 | sort -z | xargs -0 md5sum) \
	>"$S/DEBIAN/md5sums"
chmod 644 "$S/DEBIAN/control" "$S/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$S" "$DEB" >/dev/null
echo "$DEB"
