#!/bin/bash
# The licence (issue 18): LICENSE at the top of the tree is the MIT text both packages
# declare; debian/copyright (DEP-5) carries the same text and points at it, and the spec
# ships it with %license. deb.sh and rpm.sh check the built packages carry it.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

lic="$KSCAN_SRC/LICENSE"
check "LICENSE exists" [ -s "$lic" ]
check "LICENSE is MIT" grep -qx 'MIT License' "$lic"
check "LICENSE: copyright 2026 kscan authors" grep -qx 'Copyright (c) 2026 kscan authors' "$lic"

# the permission text, words only: wrapping and DEP-5's " ." paragraph marks do not count
words() { tr -s ' \n' '\n\n' | grep -v '^\.$' | grep -v '^$'; }
sed -n '/^Permission/,$p' "$lic" | words >"$FX/lic"
cr="$KSCAN_SRC/packaging/debian/copyright"
# the continuation lines of the License: MIT field
awk '/^License: MIT/ { on = 1; next } /^[^ ]/ { on = 0 } on' "$cr" | words >"$FX/cr"
check "debian/copyright's licence text is LICENSE's" cmp -s "$FX/lic" "$FX/cr"
check "debian/copyright is DEP-5" grep -qx \
	'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$cr"
check "debian/copyright: Copyright: 2026 kscan authors" grep -qx 'Copyright: 2026 kscan authors' "$cr"
check "debian/copyright refers to LICENSE" grep -q '^Comment:.*LICENSE' "$cr"
check "debian/control and the spec say MIT" grep -qx 'License: *MIT' \
	"$KSCAN_SRC/packaging/rpm/kscan.spec"
check "the spec ships it (%license LICENSE)" grep -qx '%license LICENSE' \
	"$KSCAN_SRC/packaging/rpm/kscan.spec"
fx_done
