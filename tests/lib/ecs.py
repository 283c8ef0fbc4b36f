#!/usr/bin/env python3
"""Checks NDJSON ECS events against Elastic's own field list (ecs_flat.yml of a release).

Every field an event holds, outside kscan's own kscan.* namespace, must be an ECS field of
that release, with a value of its type (keyword and text kinds: strings; long and the other
integers: integers; float kinds: numbers; date: an ISO 8601 time; ip: an IPv4 or IPv6
address; boolean; object and flattened: objects). A field ECS normalizes as an array must
be one; a field that lists allowed values (event.kind, event.category, event.type,
event.outcome) must hold one of them, and each event.type must be one that one of the
event's categories expects. _bulk action lines ({"create": ...}) are skipped.

  ecs.py ECS_FLAT_YML[.gz] FILE...   exits 1 with every error found, one per line
"""
import datetime
import gzip
import ipaddress
import json
import sys

import yaml

STRING = {"keyword", "constant_keyword", "wildcard", "match_only_text", "text"}
INTEGER = {"long", "integer", "short", "byte", "unsigned_long"}
FLOAT = {"float", "half_float", "scaled_float", "double"}


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return yaml.safe_load(f)


def is_date(v):
    if not isinstance(v, str):
        return False
    try:
        datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_ip(v):
    try:
        ipaddress.ip_address(v)
    except ValueError:
        return False
    return True


def type_ok(t, v):
    if t in STRING:
        return isinstance(v, str)
    if t in INTEGER:
        return isinstance(v, int) and not isinstance(v, bool)
    if t in FLOAT:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "boolean":
        return isinstance(v, bool)
    if t == "date":
        return is_date(v)
    if t == "ip":
        return isinstance(v, str) and is_ip(v)
    if t in ("object", "flattened", "nested"):
        return isinstance(v, dict)
    return False


def leaves(prefix, obj, fields):
    """(name, value) of every field: a dict that is not itself an ECS field goes deeper."""
    for k, v in obj.items():
        name = prefix + k
        if isinstance(v, dict) and name not in fields:
            yield from leaves(name + ".", v, fields)
        else:
            yield name, v


class Checker:
    def __init__(self, fields):
        self.fields = fields
        self.errors = []

    def err(self, where, msg):
        self.errors.append("%s: %s" % (where, msg))

    def field(self, where, name, v):
        d = self.fields.get(name)
        if d is None:
            self.err(where, "%s is not an ECS field" % name)
            return
        values = v if isinstance(v, list) else [v]
        if "array" in d.get("normalize", []) and not isinstance(v, list):
            self.err(where, "%s must be an array" % name)
        for x in values:
            if not type_ok(d["type"], x):
                self.err(where, "%s: %r is not a %s" % (name, x, d["type"]))
        allowed = [a["name"] for a in d.get("allowed_values", [])]
        for x in values if allowed else []:
            if x not in allowed:
                self.err(where, "%s: %r is not one of %s" % (name, x, allowed))

    def event_types(self, where, ev):
        """Each event.type must be one its categories expect (ECS's expected_event_types)."""
        cats = {a["name"]: a.get("expected_event_types", [])
                for a in self.fields["event.category"]["allowed_values"]}
        event = ev.get("event", {})
        want = {t for c in event.get("category", []) for t in cats.get(c, [])}
        for t in event.get("type", []):
            if event.get("category") and t not in want:
                self.err(where, "event.type %r is not expected for categories %s" %
                         (t, event["category"]))

    def event(self, where, ev):
        for name, v in leaves("", ev, self.fields):
            if name == "kscan" or name.startswith("kscan."):
                continue
            self.field(where, name, v)
        self.event_types(where, ev)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: ecs.py ECS_FLAT_YML FILE...")
    c = Checker(load(sys.argv[1]))
    n = 0
    for f in sys.argv[2:]:
        for i, line in enumerate(open(f, encoding="utf-8").read().splitlines(), 1):
            ev = json.loads(line)
            if set(ev) == {"create"}:
                continue
            c.event("%s:%d" % (f, i), ev)
            n += 1
    for e in c.errors:
        print(e)
    if c.errors or n == 0:
        sys.exit(1)
    print("%d event(s) use ECS fields with their types" % n)


if __name__ == "__main__":
    main()
