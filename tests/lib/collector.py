#!/usr/bin/env python3
"""A test collector for kscan: a real HTTPS server on the loopback that records every request
and can be told to misbehave.

    collector.py --dir DIR --cert CERT --key KEY [--client-ca CA] [--hmac-key FILE]

It listens on 127.0.0.1 on a free port and writes the port to DIR/port once it accepts
connections. Each request takes the first line of DIR/script (rewritten without it) as its
orders, or answers 200 when there is none:

    200 | 201 | 401 | 503 ...      answer with that status
    429 SECONDS | 503 SECONDS      that status with Retry-After: SECONDS
    hang                           read the request and never answer
    lose                           take the report (accepted.jsonl), then never answer
    close                          read the request and close the connection unanswered
    redirect STATUS URL            answer STATUS with Location: URL

Every request is appended to DIR/requests.jsonl as one JSON object: method, path, time,
headers (lower-case names), status answered, the client certificate's subject CN, what the
gzip and HMAC checks found, what the body parsed as and the report ids it holds. The body
as received and as decoded are saved as DIR/raw-N and DIR/body-N. Reports answered with 2xx
are appended to DIR/accepted.jsonl once per Idempotency-Key, so a resent report shows as
a duplicate (dup: true) rather than a second delivery.
"""
import argparse
import gzip
import hashlib
import hmac
import http.server
import json
import os
import ssl
import sys
import threading
import time

LOCK = threading.Lock()
SEEN_KEYS = set()


def pop_order(d):
    path = os.path.join(d, "script")
    with LOCK:
        try:
            with open(path) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return ["200"]
        lines = [l for l in lines if l.strip()]
        if not lines:
            return ["200"]
        with open(path + ".new", "w") as f:
            f.write("".join(l + "\n" for l in lines[1:]))
        os.replace(path + ".new", path)
        return lines[0].split()


def parse_native(body):
    r = json.loads(body)
    if not isinstance(r, dict) or "report_id" not in r or "verdict" not in r:
        raise ValueError("not a kscan report")
    return "json", [r["report_id"]]


def parse_hec(body):
    dec = json.JSONDecoder()
    text = body.decode("utf-8")
    pos, ids, types = 0, [], []
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos == len(text):
            break
        env, pos = dec.raw_decode(text, pos)
        extra = set(env) - {"time", "host", "source", "sourcetype", "index", "event", "fields"}
        if extra:
            raise ValueError("unknown envelope members %s" % sorted(extra))
        if not isinstance(env.get("time"), (int, float)) or not isinstance(env["source"], str):
            raise ValueError("bad envelope %r" % env)
        # HEC indexes only flat fields: strings or arrays of strings
        for k, v in env.get("fields", {}).items():
            if not isinstance(v, str) and not (isinstance(v, list) and
                                               all(isinstance(x, str) for x in v)):
                raise ValueError("field %s is not flat: %r" % (k, v))
        types.append(env["sourcetype"].rsplit(":", 1))
        ids.append(env["event"]["report_id"])
    # PREFIX:scan first, then PREFIX:finding, one prefix (collector.hec.sourcetype)
    if (not types or types[0][1] != "scan" or any(t[1] != "finding" for t in types[1:])
            or len({t[0] for t in types}) != 1):
        raise ValueError("bad sourcetypes %s" % types)
    return "splunk-hec", sorted(set(ids))


def check_ecs(ev):
    for k in ("@timestamp", "ecs", "event", "agent", "host", "kscan"):
        if k not in ev:
            raise ValueError("ECS event without %s" % k)
    if ev["event"]["kind"] not in ("state", "alert"):
        raise ValueError("bad event.kind")
    return ev["kscan"]["report_id"]


def parse_ocsf(objs):
    if any(o["class_uid"] != 2003 or o["metadata"]["version"] != "1.8.0" for o in objs):
        raise ValueError("not OCSF 1.8.0 Compliance Findings")
    return "ocsf", sorted({o["metadata"]["correlation_uid"] for o in objs})


def parse_ndjson(body):
    lines = body.decode("utf-8").split("\n")
    if lines[-1] != "":
        raise ValueError("NDJSON must end with a newline")
    objs = [json.loads(l) for l in lines[:-1]]
    if "class_uid" in objs[0]:
        return parse_ocsf(objs)
    bulk = "create" in objs[0]
    ids = []
    if bulk:
        if len(objs) % 2:
            raise ValueError("odd number of bulk lines")
        for action, ev in zip(objs[0::2], objs[1::2]):
            if set(action) != {"create"} or "_id" not in action["create"]:
                raise ValueError("bad action line %r" % action)
            if action["create"]["_id"] != ev["event"]["id"]:
                raise ValueError("_id is not event.id")
            ids.append(check_ecs(ev))
    else:
        ids = [check_ecs(ev) for ev in objs]
    if objs[1 if bulk else 0]["event"]["kind"] != "state":
        raise ValueError("the first event is not the scan summary")
    return "ecs-bulk" if bulk else "ecs", sorted(set(ids))


def parse_cyclonedx(body):
    bom = json.loads(body.decode("utf-8"))
    if bom["bomFormat"] != "CycloneDX" or bom["specVersion"] != "1.6":
        raise ValueError("not a CycloneDX 1.6 BOM")
    props = {p["name"]: p["value"] for p in bom["metadata"]["properties"]}
    if bom["serialNumber"] != "urn:uuid:" + props["kscan:report_id"]:
        raise ValueError("serialNumber is not the report id")
    return "cyclonedx", [props["kscan:report_id"]]


def parse_body(ctype, body):
    try:
        if ctype == "application/x-ndjson":
            return parse_ndjson(body)
        if ctype == "application/vnd.cyclonedx+json; version=1.6":
            return parse_cyclonedx(body)
        try:
            return parse_native(body)
        except (ValueError, KeyError):
            return parse_hec(body)
    except Exception as e:  # noqa: BLE001 - recorded for the test to see
        return "error: %s" % e, []


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out as two writes: without this, Nagle holds the body until the
    # client's delayed ACK, 40 ms per request
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def client_cn(self):
        cert = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        for rdn in (cert or {}).get("subject", ()):
            for k, v in rdn:
                if k == "commonName":
                    return v
        return None

    def answer(self, status, headers=(), body=b"ok\n"):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        rec = {
            "time": time.time(),
            "method": "POST",
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "client_cn": self.client_cn(),
            "len": len(raw),
        }
        body = raw
        if self.headers.get("Content-Encoding") == "gzip":
            try:
                body = gzip.decompress(raw)
                rec["gzip"] = "ok"
            except OSError as e:
                rec["gzip"] = "bad: %s" % e
        if srv.hmac_key is not None:
            want = "sha256=" + hmac.new(srv.hmac_key, raw, hashlib.sha256).hexdigest()
            got = self.headers.get("X-Kscan-Signature", "")
            rec["hmac"] = "ok" if hmac.compare_digest(want, got) else "bad"
        rec["parsed"], rec["report_ids"] = parse_body(self.headers.get("Content-Type"), body)
        order = pop_order(srv.dir)
        rec["order"] = " ".join(order)
        if order[0] == "redirect":
            status = int(order[1])
        else:
            status = 200 if order[0] in ("hang", "close", "lose") else int(order[0])
        rec["status"] = status
        with LOCK:
            n = srv.count = srv.count + 1
            rec["n"] = n
            with open(os.path.join(srv.dir, "raw-%d" % n), "wb") as f:
                f.write(raw)
            with open(os.path.join(srv.dir, "body-%d" % n), "wb") as f:
                f.write(body)
            with open(os.path.join(srv.dir, "requests.jsonl"), "a") as f:
                f.write(json.dumps(rec) + "\n")
            key = self.headers.get("Idempotency-Key")
            if 200 <= status < 300 and order[0] not in ("hang", "close"):
                acc = {"key": key, "n": n, "dup": key in SEEN_KEYS, "parsed": rec["parsed"]}
                SEEN_KEYS.add(key)
                with open(os.path.join(srv.dir, "accepted.jsonl"), "a") as f:
                    f.write(json.dumps(acc) + "\n")
        if order[0] in ("hang", "lose"):
            time.sleep(3600)
            return
        if order[0] == "close":
            self.close_connection = True
            return
        if order[0] == "redirect":
            self.answer(int(order[1]), [("Location", order[2])])
        elif len(order) > 1:
            self.answer(status, [("Retry-After", order[1])])
        else:
            self.answer(status)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # failed handshakes (unknown CA, missing client certificate) are what tests want
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--client-ca")
    ap.add_argument("--hmac-key")
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(a.cert, a.key)
    if a.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(a.client_ca)
    srv = Server(("127.0.0.1", 0), Handler)
    # the handshake happens in the request's thread: a client that stalls blocks nobody
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    srv.dir = a.dir
    srv.count = 0
    srv.hmac_key = None
    if a.hmac_key:
        with open(a.hmac_key, "rb") as f:
            srv.hmac_key = f.read().rstrip(b"\r\n")
    with open(os.path.join(a.dir, "port.new"), "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(os.path.join(a.dir, "port.new"), os.path.join(a.dir, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
