# Helpers for the delivery tests: certificates made with the openssl CLI at test time and
# the test collector (tests/lib/collector.py), a real HTTPS server on the loopback.
# Source after fixtures.sh:
#   . "$KSCAN_SRC/tests/lib/fixtures.sh"
#   . "$KSCAN_SRC/tests/lib/collector.sh"

# No proxy from the test environment may stand between kscan and the loopback.
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

# These tests run Python a few hundred times: resolve the interpreter once, past any
# version-manager shim (pyenv's costs a second per call on a busy machine).
PY=$(python3 -c 'import sys; print(sys.executable)')
python3() {
	"$PY" "$@"
}

COLLECTOR_PIDS=""
trap 'collector_stop_all; rm -rf "$FX"' EXIT

PKI="$FX/pki"

# pki_cert NAME CA CN SAN EKU [STARTDATE ENDDATE]: a P-256 key and a certificate signed by
# CA (a directory made by pki_ca), in $PKI/NAME.key and $PKI/NAME.pem.
pki_cert() {
	local name=$1 ca=$2 cn=$3 san=$4 eku=$5 start=${6:-} end=${7:-}
	local cnf="$PKI/$ca/ca.cnf"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "/CN=$cn" 2>/dev/null || return 1
	{
		echo "[ext]"
		[ -n "$san" ] && echo "subjectAltName = $san"
		echo "extendedKeyUsage = $eku"
	} >"$PKI/$name.ext"
	if [ -n "$start" ]; then
		openssl ca -batch -config "$cnf" -extfile "$PKI/$name.ext" -extensions ext \
			-in "$PKI/$name.csr" -out "$PKI/$name.pem" -startdate "$start" \
			-enddate "$end" >/dev/null 2>&1 || return 1
	else
		openssl ca -batch -config "$cnf" -extfile "$PKI/$name.ext" -extensions ext \
			-in "$PKI/$name.csr" -out "$PKI/$name.pem" -days 2 >/dev/null 2>&1 || return 1
	fi
	chmod 600 "$PKI/$name.key"
}

# pki_ca NAME: a self-signed CA in $PKI/NAME/ (ca.pem, ca.key, an `openssl ca` database).
pki_ca() {
	local d="$PKI/$1"
	mkdir -p "$d/db"
	: >"$d/db/index.txt"
	echo 01 >"$d/db/serial"
	cat >"$d/ca.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
database = $d/db/index.txt
serial = $d/db/serial
new_certs_dir = $d/db
certificate = $d/ca.pem
private_key = $d/ca.key
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
CNF
	# its own request config: OpenSSL 1.1.1 adds the system openssl.cnf's v3_ca extensions
	# to -addext ones, and a CA with basicConstraints twice is no CA to a verifier
	cat >"$d/req.cnf" <<CNF
[req]
distinguished_name = dn
x509_extensions = v3
[dn]
[v3]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
	openssl req -x509 -config "$d/req.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj "/CN=kscan test $1" \
		2>/dev/null
}

# pki_setup: every certificate the delivery tests use.
#   ca/ca.pem      the CA kscan trusts (collector.ca_file)
#   server         localhost and 127.0.0.1, signed by ca
#   wrongname      wrong.example only, signed by ca
#   expired        localhost, signed by ca, valid in January 2020 only
#   other/ca.pem   a CA kscan does not trust; othersrv: localhost, signed by it
#   client         a client certificate (CN kscan-client) signed by ca
pki_setup() {
	mkdir -p "$PKI"
	pki_ca ca && pki_ca other &&
		pki_cert server ca localhost "DNS:localhost,IP:127.0.0.1" serverAuth &&
		pki_cert wrongname ca wrong.example "DNS:wrong.example" serverAuth &&
		pki_cert expired ca localhost "DNS:localhost,IP:127.0.0.1" serverAuth \
			20200101000000Z 20200201000000Z &&
		pki_cert othersrv other localhost "DNS:localhost,IP:127.0.0.1" serverAuth &&
		pki_cert client ca kscan-client "" clientAuth
}

# pki_pin CERT: the sha256// pin of CERT's public key, as collector.pinned_pubkey takes it.
pki_pin() {
	printf 'sha256//%s' "$(openssl x509 -in "$1" -pubkey -noout |
		openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64)"
}

# collector_start NAME CERT [ARGS...]: starts a collector with the certificate $PKI/CERT
# and records in $FX/c-NAME; sets C_DIR, C_PORT and C_URL (https://localhost:PORT/reports).
collector_start() {
	local name=$1 cert=$2
	shift 2
	C_DIR="$FX/c-$name"
	mkdir -p "$C_DIR"
	# the interpreter itself, not the python3 function: $! must be the server's pid, and its
	# output must not hold the test's pipes open
	"$PY" "$KSCAN_SRC/tests/lib/collector.py" --dir "$C_DIR" --cert "$PKI/$cert.pem" \
		--key "$PKI/$cert.key" "$@" >"$C_DIR/stdout" 2>"$C_DIR/stderr" &
	COLLECTOR_PIDS="$COLLECTOR_PIDS $!"
	echo $! >"$C_DIR/pid"
	local i
	for i in $(seq 100); do
		[ -s "$C_DIR/port" ] && break
		sleep 0.1
	done
	C_PORT=$(cat "$C_DIR/port") || return 1
	C_URL="https://localhost:$C_PORT/reports"
}

# collector_stop NAME: stops that collector (by the pid it was started with).
collector_stop() {
	local pid
	pid=$(cat "$FX/c-$1/pid") || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

collector_stop_all() {
	local pid
	for pid in $COLLECTOR_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $COLLECTOR_PIDS; do
		wait "$pid" 2>/dev/null || true
	done
}

# free_port: a loopback port nothing listens on (bound, then released).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# kscan_config FILE URL [KEY: VALUE]...: a configuration with a collector section: the test
# CA, a spool in $SPOOL (default $FX/spool), fast retries; each KEY: VALUE given is added to
# the collector section, in place of the default for that key.
kscan_config() {
	local file=$1 url=$2
	shift 2
	local defaults=("url: $url" "ca_file: $PKI/ca/ca.pem" "spool_dir: ${SPOOL:-$FX/spool}"
		"backoff_base: 5ms" "backoff_cap: 50ms" "attempts: 3" "connect_timeout: 2s"
		"timeout: 10s")
	local l d
	{
		echo "collector:"
		for d in "${defaults[@]}"; do
			for l in "$@"; do
				[ "${l%%:*}" = "${d%%:*}" ] && continue 2
			done
			echo "  $d"
		done
		for l in "$@"; do echo "  $l"; done
	} >"$file"
}

# A root to scan: empty and fast, with known host facts.
scan_root() {
	local r="$FX/root"
	mkdir -p "$r/etc"
	echo fixture-host >"$r/etc/hostname"
	echo 0123456789abcdef0123456789abcdef >"$r/etc/machine-id"
	printf 'ID=testos\nVERSION_ID=1\n' >"$r/etc/os-release"
	echo "$r"
}

# run_kscan ARGS...: kscan, exit code in $rc, stdout in $FX/out, stderr in $FX/err.
run_kscan() {
	rc=0
	"$KSCAN" "$@" >"$FX/out" 2>"$FX/err" || rc=$?
}

# expect_exit DESCRIPTION WANT: checks $rc, showing stderr when it is wrong.
expect_exit() {
	if [ "$rc" -eq "$2" ]; then ok "$1 (exit $2)"; else
		not_ok "$1: exit $rc, want $2"
		sed 's/^/#   /' "$FX/err" >&2
	fi
}

# requests DIR EXPR: the Python expression EXPR over q, the list of recorded requests.
# rcheck DESCRIPTION EXPR: ok if EXPR is true for the current collector ($C_DIR).
rcheck() {
	local what=$1 expr=$2
	if python3 - "$C_DIR" "$expr" <<'PY'
import json, os, sys
d = sys.argv[1]
def load(name):
    p = os.path.join(d, name)
    return [json.loads(l) for l in open(p)] if os.path.exists(p) else []
q = load("requests.jsonl")
acc = load("accepted.jsonl")
body = lambda n: open(os.path.join(d, "body-%d" % n), "rb").read()
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
	then ok "$what"; else
		not_ok "$what"
		echo "#   expression: $expr" >&2
		sed 's/^/#   /' "$C_DIR/requests.jsonl" 2>/dev/null | cut -c1-600 >&2
		sed 's/^/#   /' "$FX/err" >&2
	fi
}

# spooled: the number of reports in $SPOOL (or $FX/spool).
spooled() {
	find "${SPOOL:-$FX/spool}" -maxdepth 1 -name '*.report' 2>/dev/null | wc -l
}
