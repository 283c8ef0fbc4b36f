#!/bin/bash
# Delivery over TLS that cannot be fooled: a real HTTPS collector on the loopback with
# certificates made by openssl at test time. Every failure leaves the report in the spool
# (exit 3) and says why; nothing turns verification off.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
. "$KSCAN_SRC/tests/lib/collector.sh"

pki_setup || { not_ok "certificates made with openssl"; fx_done; exit 1; }
R=$(scan_root)
printf 'sekrit-token-1\n' >"$FX/token"
chmod 600 "$FX/token"

# Success: the report, its id as Idempotency-Key, our User-Agent, the token, extra headers.
collector_start ok server
kscan_config "$FX/ok.yaml" "$C_URL" "token_file: $FX/token" "headers:" \
	"  X-Fleet: lab-7" "  X-Site: \"north wing\""
run_kscan --root "$R" --config "$FX/ok.yaml" --output "$FX/local.json"
expect_exit "delivered: the verdict is the exit code" 0
ID=$(jget "$FX/local.json" 'r["report_id"]')
rcheck "one request" 'len(q) == 1'
rcheck "Idempotency-Key is the report id" "q[0]['headers']['idempotency-key'] == '$ID'"
rcheck "the body is the native report" "q[0]['parsed'] == 'json' and q[0]['report_ids'] == ['$ID']"
rcheck "Content-Type application/json" 'q[0]["headers"]["content-type"] == "application/json"'
rcheck "User-Agent kscan/<version>" \
	"q[0]['headers']['user-agent'] == 'kscan/' + '$("$KSCAN" --version | cut -d' ' -f2)'"
rcheck "Authorization: Bearer <token>" \
	'q[0]["headers"]["authorization"] == "Bearer sekrit-token-1"'
rcheck "configured headers sent" \
	'q[0]["headers"]["x-fleet"] == "lab-7" and q[0]["headers"]["x-site"] == "north wing"'
rcheck "no Expect: 100-continue" '"expect" not in q[0]["headers"]'
check "the body sent is the report written locally" cmp -s "$C_DIR/body-1" "$FX/local.json"
check "nothing left in the spool" [ "$(spooled)" -eq 0 ]
check "the spool directory is 0700" [ "$(stat -c %a "$FX/spool")" = 700 ]
check "no progress on stderr by default" [ ! -s "$FX/err" ]
run_kscan --root "$R" --config "$FX/ok.yaml" --verbose
check "--verbose: progress on stderr" grep -q "^kscan: delivered report [0-9a-f-]* to $C_URL" "$FX/err"
run_kscan --root "$R" --config "$FX/ok.yaml" --quiet
expect_exit "--quiet delivery" 0
check "--quiet: nothing on stderr or stdout" [ ! -s "$FX/err" ] && [ ! -s "$FX/out" ]
# The dynamic build loads libcurl only when a run delivers (report/deliver/curlso.c).
if readelf -p .note.dlopen "$KSCAN" 2>/dev/null | grep -q libcurl.so.4; then
	LD_DEBUG=libs "$KSCAN" scan --root "$R" --output "$FX/nodeliver.json" 2>"$FX/ld.log"
	check "a scan that does not deliver never loads libcurl" \
		bash -c "! grep -q 'init: .*libcurl' '$FX/ld.log'"
	LD_DEBUG=libs "$KSCAN" scan --root "$R" --config "$FX/ok.yaml" --output "$FX/d.json" \
		2>"$FX/ld.log"
	check "a scan that delivers loads libcurl" grep -q 'init: .*libcurl' "$FX/ld.log"
fi
collector_stop ok

# expect_refused NAME DESCRIPTION GREP [N]: the run before failed, spooled its report, said
# GREP, and the collector has still recorded only the N requests it had before (0).
expect_refused() {
	expect_exit "$2: not delivered, spooled" 3
	rcheck "$2: the collector got nothing" "len(q) == ${4:-0}"
	check "$2: one report in the spool" [ "$(spooled)" -eq 1 ]
	check "$2: says why" grep -q -- "$3" "$FX/err"
	rm -rf "$FX/spool"
}

collector_start unknownca othersrv
kscan_config "$FX/c.yaml" "$C_URL"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_refused unknownca "unknown CA" "unable to get local issuer certificate"
check "unknown CA: not retried (one line of reasons)" [ "$(grep -c 'not trusted' "$FX/err")" -eq 1 ]

collector_start wrongname wrongname
kscan_config "$FX/c.yaml" "$C_URL"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_refused wrongname "wrong host name" "does not match target host name\|no alternative certificate subject name matches"

collector_start expired expired
kscan_config "$FX/c.yaml" "$C_URL"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_refused expired "expired certificate" "certificate has expired"

# The same server is fine once its CA is trusted: the failures above were verification.
collector_start otherok othersrv
kscan_config "$FX/c.yaml" "$C_URL" "ca_file: $PKI/other/ca.pem"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "the other CA trusted: delivered" 0

# 127.0.0.1 is in the server certificate; a host name the certificate lacks is not.
collector_start byip server
kscan_config "$FX/c.yaml" "https://127.0.0.1:$C_PORT/r"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "an IP address in the certificate" 0

# mTLS: a collector that requires a client certificate.
collector_start mtls server --client-ca "$PKI/ca/ca.pem"
kscan_config "$FX/c.yaml" "$C_URL" "client_cert: $PKI/client.pem" "client_key: $PKI/client.key"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "client certificate given" 0
rcheck "the collector saw our client certificate" 'q[0]["client_cn"] == "kscan-client"'
kscan_config "$FX/c.yaml" "$C_URL"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "client certificate missing: spooled" 3
check "client certificate missing: one report spooled" [ "$(spooled)" -eq 1 ]
rcheck "client certificate missing: the collector recorded nothing more" 'len(q) == 1'
rm -rf "$FX/spool"
chmod 644 "$PKI/client.key"
kscan_config "$FX/c.yaml" "$C_URL" "client_cert: $PKI/client.pem" "client_key: $PKI/client.key"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "a world-readable client key is refused when the configuration is loaded" 65
check "the key file's mode is named" \
	grep -q "c.yaml:[0-9]*:[0-9]*: \"client_key\" $PKI/client.key has mode 0644" "$FX/err"
rm -rf "$FX/spool"
chmod 600 "$PKI/client.key"

# Pinned public key.
collector_start pin server
kscan_config "$FX/c.yaml" "$C_URL" "pinned_pubkey: \"$(pki_pin "$PKI/server.pem")\""
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "the pinned key matches" 0
kscan_config "$FX/c.yaml" "$C_URL" \
	"pinned_pubkey: \"$(pki_pin "$PKI/othersrv.pem");$(pki_pin "$PKI/client.pem")\""
run_kscan --root "$R" --config "$FX/c.yaml"
expect_refused pin "a pin of other keys" "pinned_pubkey" 1

# Credentials kscan refuses to use.
kscan_config "$FX/c.yaml" "$C_URL" "token_file: $FX/token"
chmod 640 "$FX/token"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "a group-readable token file: refused on load" 65
check "a group-readable token file: says why" grep -q "\"token_file\" $FX/token has mode 0640" "$FX/err"
chmod 600 "$FX/token"
chown 65534 "$FX/token"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "a token file owned by another user: refused on load" 65
check "a token file owned by another user: says why" grep -q "\"token_file\" $FX/token is owned by uid 65534" "$FX/err"
chown 0 "$FX/token"

# Redirects: to https at most 3 times (the POST stays a POST), never to http.
collector_start redir server
kscan_config "$FX/c.yaml" "$C_URL"
printf 'redirect 301 %s\nredirect 302 %s\nredirect 303 %s\n200\n' \
	"$C_URL/a" "$C_URL/b" "$C_URL/c" >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "three redirects to https" 0
rcheck "every hop was a POST with the report" \
	'[r["path"] for r in q] == ["/reports", "/reports/a", "/reports/b", "/reports/c"] and all(r["parsed"] == "json" for r in q)'
printf 'redirect 307 %s\nredirect 307 %s\nredirect 307 %s\nredirect 307 %s\n' \
	"$C_URL/1" "$C_URL/2" "$C_URL/3" "$C_URL/4" >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "a fourth redirect is refused" 3
check "says more than 3 redirects" grep -q "more than 3 redirects" "$FX/err"
rm -rf "$FX/spool"
printf 'redirect 308 http://localhost:%s/plain\n' "$C_PORT" >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "a redirect to http is refused" 3
check "says redirects must be https" grep -q "redirects may only lead to https" "$FX/err"
rcheck "the http URL was never requested" 'not any(r["path"] == "/plain" for r in q)'
rm -rf "$FX/spool"

# https only, with no way around it.
run_kscan --root "$R" --post "http://localhost:$C_PORT/reports"
expect_exit "--post http:// is a usage error" 64
check "says https" grep -q "must be https://" "$FX/err"
run_kscan --root "$R" --post "https://user:pw@localhost:$C_PORT/reports"
expect_exit "--post with a password in the URL" 64
kscan_config "$FX/c.yaml" "http://localhost:$C_PORT/reports"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "collector.url http:// is a configuration error" 65
check "FILE:LINE:COL for the URL" grep -q "^kscan: $FX/c.yaml:2:8: the collector URL must be https://" "$FX/err"
for v in CURL_CA_BUNDLE=/dev/null SSL_CERT_FILE=$PKI/other/ca.pem KSCAN_INSECURE=1 CURLOPT_SSL_VERIFYPEER=0; do
	kscan_config "$FX/c.yaml" "$C_URL"
	sed -i "/ca_file/d" "$FX/c.yaml"
	rc=0
	env "$v" "$KSCAN" --root "$R" --config "$FX/c.yaml" >"$FX/out" 2>"$FX/err" || rc=$?
	expect_exit "the system store does not trust the test CA, even with $v" 3
	rm -rf "$FX/spool"
done

fx_done
