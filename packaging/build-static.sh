#!/bin/sh
# Build one fully static x86_64 kscan with musl: OUTDIR/kscan, the release tarball
# OUTDIR/kscan-VERSION-x86_64-linux-static.tar.gz and OUTDIR/SHA256SUMS.
#
# The libraries come from Debian 12's own source packages (apt-get source, with Debian's
# patches applied), built once with musl-gcc into a cache: KSCAN_STATIC_CACHE, default
# OUTDIR/.deps. A second run only rebuilds kscan. Needs packaging/setup-debian.sh (musl-tools,
# the deb-src entries) and network access to deb.debian.org for the first run only.
# docs/packaging.md says why this route and what the binary does on a foreign host.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: build-static.sh OUTDIR" >&2
	exit 2
fi
SRC_TREE=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
CACHE=${KSCAN_STATIC_CACHE:-$OUT/.deps}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
PREFIX=$CACHE/prefix
JOBS=${KSCAN_JOBS:-2}
# Bump when a library's configuration below changes: the cache is then rebuilt.
RECIPE=1

if [ "$(uname -m)" != x86_64 ]; then
	echo "build-static.sh: x86_64 only (docs/packaging.md)" >&2
	exit 1
fi
for tool in musl-gcc dpkg-source tclsh meson ninja; do
	if ! command -v "$tool" >/dev/null; then
		echo "build-static.sh: $tool missing: run packaging/setup-debian.sh" >&2
		exit 1
	fi
done

# musl ships libc headers only; kscan (Landlock, seccomp, openat2) and OpenSSL need the
# kernel's UAPI headers, which are libc-independent: linux-libc-dev's, by symlink.
KINC=$CACHE/kernel-include
if [ ! -d "$KINC" ]; then
	mkdir -p "$KINC.tmp"
	ln -s /usr/include/linux /usr/include/asm-generic "$KINC.tmp/"
	ln -s /usr/include/x86_64-linux-gnu/asm "$KINC.tmp/asm"
	mv "$KINC.tmp" "$KINC"
fi

export CC=musl-gcc
export CFLAGS="-O2 -fPIC -fstack-protector-strong -D_FORTIFY_SOURCE=2 -isystem $KINC"
export CPPFLAGS="-I$PREFIX/include"
export LDFLAGS="-L$PREFIX/lib -static"
export PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig"
unset PKG_CONFIG_PATH

# fetch SRCPKG: unpack Debian's source package (patches applied) into $CACHE/src/SRCPKG.
fetch() {
	if [ -d "$CACHE/src/$1" ]; then
		return 0
	fi
	rm -rf "$CACHE/dl/$1"
	mkdir -p "$CACHE/dl/$1" "$CACHE/src"
	# run as root, apt warns that its _apt user cannot write here: harmless, kept quiet
	(cd "$CACHE/dl/$1" && apt-get source -q --download-only "$1") >"$CACHE/dl/$1.log" 2>&1 || {
		cat "$CACHE/dl/$1.log" >&2
		exit 1
	}
	dsc=$(ls "$CACHE/dl/$1"/*.dsc)
	rm -rf "$CACHE/src/$1.tmp"
	dpkg-source -q --no-check -x "$dsc" "$CACHE/src/$1.tmp" >/dev/null
	basename "$dsc" .dsc >>"$CACHE/versions.tmp"
	mv "$CACHE/src/$1.tmp" "$CACHE/src/$1"
}

# build SRCPKG: fetch, then run build_SRCPKG in its tree once per recipe.
build() {
	stamp=$PREFIX/.built-$1-$RECIPE
	if [ -f "$stamp" ]; then
		return 0
	fi
	fetch "$1"
	echo "build-static.sh: building $1" >&2
	start=$(date +%s)
	(cd "$CACHE/src/$1" && "build_$(echo "$1" | tr -- '-.' '__')") >"$CACHE/$1.log" 2>&1 || {
		echo "build-static.sh: $1 failed; last lines of $CACHE/$1.log:" >&2
		tail -n 30 "$CACHE/$1.log" >&2
		exit 1
	}
	echo "build-static.sh: $1 took $(($(date +%s) - start)) s" >&2
	touch "$stamp"
}

autotools() {
	# Debian's packages that run dh_autoreconf ship no configure script
	if [ ! -x configure ]; then
		autoreconf -fi
	fi
	./configure --prefix="$PREFIX" --libdir="$PREFIX/lib" --disable-shared --enable-static "$@"
	make -j"$JOBS"
	make install
}

build_zlib() {
	./configure --prefix="$PREFIX" --libdir="$PREFIX/lib" --static
	make -j"$JOBS" libz.a
	make install
}

build_libyaml() {
	autotools
}

build_xz_utils() {
	autotools --disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo \
		--disable-lzma-links --disable-scripts --disable-doc --disable-nls
}

build_libzstd() {
	make -j"$JOBS" -C lib libzstd.a libzstd.pc PREFIX="$PREFIX" LIBDIR="$PREFIX/lib"
	make -C lib install-static install-pc install-includes PREFIX="$PREFIX" \
		LIBDIR="$PREFIX/lib"
}

build_bzip2() {
	make -j"$JOBS" libbz2.a CC="$CC" CFLAGS="$CFLAGS -D_FILE_OFFSET_BITS=64"
	mkdir -p "$PREFIX/include" "$PREFIX/lib"
	cp bzlib.h "$PREFIX/include/"
	cp libbz2.a "$PREFIX/lib/"
}

# Only what kscan calls: libcrypto (signatures, HMAC) and libssl for libcurl, without the
# legacy and national ciphers nobody's collector offers (and a shorter build). The
# OPENSSLDIR is the Debian one; kscan names the CA file itself (report/deliver/http.c).
build_openssl() {
	./Configure linux-x86_64 --prefix="$PREFIX" --libdir=lib --openssldir=/etc/ssl \
		no-shared no-module no-engine no-dso no-async no-afalgeng no-comp no-ssl3 \
		no-weak-ssl-ciphers no-tests no-ui-console no-legacy no-idea no-rc2 no-rc4 no-rc5 \
		no-md2 no-mdc2 no-seed no-camellia no-aria no-bf no-cast no-sm2 no-sm3 no-sm4 \
		no-whirlpool no-srp no-gost no-dtls no-sctp no-ec2m no-ts -isystem "$KINC"
	make -j"$JOBS" build_libs
	make install_dev
}

# HTTPS only, as report/deliver/http.c restricts it; the CA file is chosen at run time.
build_curl() {
	autotools --with-openssl="$PREFIX" --with-zlib="$PREFIX" \
		--disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp \
		--disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap \
		--disable-smtp --disable-gopher --disable-mqtt --disable-smb --disable-manual \
		--disable-docs --disable-ntlm --disable-ntlm-wb --disable-kerberos-auth \
		--without-libidn2 --without-libpsl --without-brotli --without-zstd \
		--without-nghttp2 --without-nghttp3 --without-ngtcp2 --without-librtmp \
		--without-libssh2 --without-libssh --without-libgsasl --without-gssapi \
		--without-ca-bundle --without-ca-path --without-ca-fallback \
		--enable-threaded-resolver --enable-ipv6
}

build_sqlite3() {
	autotools --disable-tcl --disable-readline --disable-load-extension \
		--enable-threadsafe
}

# The kit reader (scanner/deep/kit.c): tar, zip and ar with gzip, xz, zstd and bzip2.
build_libarchive() {
	# its configure was made with an older libtool than Debian 12's (Debian's build
	# reconfigures it too)
	autoreconf -fi
	autotools --without-openssl --without-nettle --without-xml2 --without-expat \
		--without-lz4 --without-lzo2 --without-libb2 --without-cng --without-mbedtls \
		--with-zlib --with-lzma --with-zstd --with-bz2lib \
		--disable-acl --disable-xattr --disable-bsdtar --disable-bsdcpio --disable-bsdcat \
		--disable-bsdunzip
}

total_start=$(date +%s)
for pkg in zlib libyaml xz-utils libzstd bzip2 openssl curl sqlite3 libarchive; do
	build "$pkg"
done
if [ -f "$CACHE/versions.tmp" ]; then
	sort -u "$CACHE/versions.tmp" >"$CACHE/versions"
fi
echo "build-static.sh: libraries ready after $(($(date +%s) - total_start)) s" >&2

# kscan itself: the same meson.build, musl-gcc, static libraries only, no PIE (a static-pie
# needs musl-gcc's rcrt1 support, which Debian's wrapper lacks). -include limits.h: a file
# that uses PATH_MAX without it compiles on glibc, whose other headers pull it in.
BUILD=$CACHE/kscan-build
rm -rf "$BUILD"
meson setup "$BUILD" "$SRC_TREE" --prefix=/usr --buildtype=release -Dtests=disabled \
	--default-library=static -Dprefer_static=true -Db_pie=false \
	-Dc_args="-isystem $KINC -include limits.h" -Dc_link_args="-static" >"$CACHE/kscan-setup.log" 2>&1 || {
	tail -n 30 "$CACHE/kscan-setup.log" >&2
	exit 1
}
ninja -C "$BUILD" -j"$JOBS" kscan >"$CACHE/kscan-build.log" 2>&1 || {
	tail -n 40 "$CACHE/kscan-build.log" >&2
	exit 1
}
strip -o "$OUT/kscan" "$BUILD/kscan"

if ! file "$OUT/kscan" | grep -q 'statically linked'; then
	echo "build-static.sh: $OUT/kscan is not static: $(file "$OUT/kscan")" >&2
	exit 1
fi

VERSION=$("$OUT/kscan" --version | awk 'NR == 1 { print $NF }')
NAME=kscan-$VERSION-x86_64-linux-static
STAGE=$CACHE/stage/$NAME
rm -rf "$CACHE/stage"
mkdir -p "$STAGE/man" "$STAGE/completion" "$STAGE/systemd" "$STAGE/cron"
cp "$OUT/kscan" "$STAGE/"
cp "$SRC_TREE/LICENSE" "$SRC_TREE/README.md" "$STAGE/"
cp "$BUILD"/docs/man/*.[15] "$STAGE/man/"
cp "$SRC_TREE/packaging/completion/kscan.bash" "$STAGE/completion/kscan"
cp "$BUILD/packaging/kscan.service" "$SRC_TREE/packaging/systemd/kscan.timer" "$STAGE/systemd/"
cp "$BUILD/packaging/kscan" "$STAGE/cron/kscan"
if [ -f "$SRC_TREE/packaging/kscan.yaml" ]; then
	cp "$SRC_TREE/packaging/kscan.yaml" "$STAGE/"
fi
if [ -f "$CACHE/versions" ]; then
	cp "$CACHE/versions" "$STAGE/LIBRARIES"
fi
# Reproducible archive: fixed order, owner and times (the commit's, else the epoch).
MTIME=$(git -C "$SRC_TREE" log -1 --format=%ct 2>/dev/null || echo 0)
tar -C "$CACHE/stage" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$MTIME" -cf - "$NAME" | gzip -n -9 >"$OUT/$NAME.tar.gz"
(cd "$OUT" && sha256sum kscan "$NAME.tar.gz" >SHA256SUMS)
echo "build-static.sh: $OUT/kscan ($(stat -c %s "$OUT/kscan") bytes), $NAME.tar.gz," \
	"SHA256SUMS in $(($(date +%s) - total_start)) s" >&2
