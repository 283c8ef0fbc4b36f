#!/bin/bash
# Integrity of signature packs: ownership and mode rules, Ed25519 signing and verification
# (interoperable with openssl pkeyutl), --require-signed, tampering.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

cd "$FX"
umask 022
R="$FX/root"
mkdir -p "$R" keys other
cat >pack.yaml <<'YAML'
schema: 1
version: "1"
signatures:
  - id: test.signed
    vendor: Test
    product: Signed test product
    paths:
      - {path: /opt/kaspersky/signed-test, role: install}
YAML
openssl genpkey -algorithm ed25519 -out signer.pem 2>/dev/null
chmod 600 signer.pem
openssl pkey -in signer.pem -pubout -out keys/signer.pem 2>/dev/null
openssl genpkey -algorithm ed25519 -out stranger.pem 2>/dev/null
openssl pkey -in stranger.pem -pubout -out other/stranger.pem 2>/dev/null

# openssl pkeyutl -rawin (Ed25519 over a whole file) came with OpenSSL 3.0; with 1.1.1
# (Debian 11) the interoperability checks are skipped.
rawin() {
	openssl pkeyutl -help 2>&1 | grep -q -- -rawin
}

run() {
	rc=0
	"$KSCAN" "$@" >out 2>err || rc=$?
}

run signatures sign --key signer.pem pack.yaml
check "sign: exit 0" [ "$rc" -eq 0 ]
check "sign: PACK.sig is a raw 64-byte signature" [ "$(stat -c %s pack.yaml.sig)" -eq 64 ]
if rawin; then
	check "sign: openssl verifies kscan's signature" openssl pkeyutl -verify -pubin \
		-inkey keys/signer.pem -rawin -in pack.yaml -sigfile pack.yaml.sig
else
	ok "# SKIP sign: openssl verifies kscan's signature (openssl without pkeyutl -rawin)"
fi

run signatures verify --keys keys pack.yaml
check "verify: trusted key, exit 0" [ "$rc" -eq 0 ]
check "verify: says so" grep -q 'pack.yaml: signature verified' out

kscan_json scan.json --require-signed --keys keys --signatures pack.yaml --root "$R"
check "scan --require-signed with a signed pack: exit 0" [ "$rc" -eq 0 ]
jcheck "report: the pack is marked verified" scan.json \
	'[p["verified"] for p in r["signatures"]["packs"] if p["name"] == "pack.yaml"] == [True]'
jcheck "report: built-in packs are not marked verified" scan.json \
	'not any(p["verified"] for p in r["signatures"]["packs"] if p["builtin"])'

# openssl-made signatures are accepted too
cp pack.yaml pack2.yaml
sed -i 's/test.signed/test.signed2/' pack2.yaml
if rawin; then
	openssl pkeyutl -sign -inkey signer.pem -rawin -in pack2.yaml -out pack2.yaml.sig
	run signatures verify --keys keys pack2.yaml
	check "verify: a signature made by openssl pkeyutl" [ "$rc" -eq 0 ]
else
	ok "# SKIP verify: a signature made by openssl pkeyutl (no pkeyutl -rawin)"
fi

run signatures verify --keys other pack.yaml
check "verify: signed by a key that is not trusted: 65" [ "$rc" -eq 65 ]
check "verify: says it does not verify" grep -q 'does not verify against any of the 1 trusted key' err

cp pack.yaml tampered.yaml
cp pack.yaml.sig tampered.yaml.sig
printf '# harmless-looking comment\n' >>tampered.yaml
run signatures verify --keys keys tampered.yaml
check "tampered pack refused by verify (65)" [ "$rc" -eq 65 ]
kscan_json t.json --keys keys --signatures tampered.yaml --root "$R"
check "a bad signature is refused even without --require-signed (65)" [ "$rc" -eq 65 ]
check "... and no report is written" [ ! -s t.json ]

cp pack.yaml unsigned.yaml
sed -i 's/test.signed/test.unsigned/' unsigned.yaml
kscan_json u.json --keys keys --signatures unsigned.yaml --root "$R"
check "unsigned pack without --require-signed: accepted" [ "$rc" -eq 0 ]
kscan_json u.json --require-signed --keys keys --signatures unsigned.yaml --root "$R"
check "unsigned pack with --require-signed: refused (65)" [ "$rc" -eq 65 ]
check "... with the reason" grep -q 'unsigned (no unsigned.yaml.sig)' u.json.err

head -c 63 pack.yaml.sig >short.yaml.sig
cp pack.yaml short.yaml
run signatures verify --keys keys short.yaml
check "a .sig that is not 64 bytes: refused (65)" [ "$rc" -eq 65 ]

cp pack.yaml gw.yaml
chmod g+w gw.yaml
run signatures list --no-default-signatures --signatures gw.yaml
check "group-writable pack: refused (65)" [ "$rc" -eq 65 ]
check "... naming the mode" grep -q 'writable by group or others (mode 664)' err

cp pack.yaml nobody.yaml
chown nobody nobody.yaml
run signatures list --no-default-signatures --signatures nobody.yaml
check "pack owned by another user: refused (65)" [ "$rc" -eq 65 ]
check "... naming the owner" grep -q "owned by uid $(id -u nobody)" err

mkdir -p openpacks
cp pack.yaml openpacks/
chmod o+w openpacks
run signatures list --no-default-signatures --signatures openpacks
check "pack in a world-writable directory: refused (65)" [ "$rc" -eq 65 ]

# --keys is a command-line argument: checked before any work, exit 64
chmod g+w keys
run signatures verify --keys keys pack.yaml
check "group-writable key directory: refused (64)" [ "$rc" -eq 64 ]
check "... naming the option and the mode" grep -q -- '--keys keys is writable by group or others (mode 0775)' err
chmod g-w keys

run signatures verify --keys "$FX/no-such-keys" pack.yaml
check "missing --keys directory: refused (64)" [ "$rc" -eq 64 ]
check "... saying so" grep -q -- "--keys $FX/no-such-keys does not exist" err
# a scan with only the built-in packs never reads the keys: it used to pass unchecked
kscan_json nk.json --keys "$FX/no-such-keys" --root "$R"
check "scan with a missing --keys directory: refused (64), nothing scanned" \
	[ "$rc" -eq 64 ] && [ ! -s nk.json ]
run signatures verify --keys pack.yaml pack.yaml
check "--keys naming a file: refused (64)" [ "$rc" -eq 64 ]
check "... not a directory" grep -q -- '--keys pack.yaml is not a directory' err

chmod 644 signer.pem
run signatures sign --key signer.pem pack.yaml
check "a private key readable by others is refused for signing (65)" [ "$rc" -eq 65 ]

run signatures sign pack.yaml
check "sign without --key: usage error (64)" [ "$rc" -eq 64 ]

fx_done
