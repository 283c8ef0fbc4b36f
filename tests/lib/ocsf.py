#!/usr/bin/env python3
"""Validates NDJSON OCSF events against the OCSF schema's own definition files.

OCSF publishes its schema as metaschema files (dictionary.json, events/, objects/,
profiles/), not as JSON Schema; its server compiles them. This does the same compilation
for the classes a test names, offline, from the copy in tests/data/ocsf-<version>:

- a class's attributes are those of its "extends" chain (base_event first), its profiles'
  and its own, each later definition refining the earlier one, with the dictionary giving
  each attribute's type, is_array and enum;
- an object's attributes likewise, through "extends" and "$include"; what a profile adds
  is required only when the event names that profile in metadata.profiles;
- an event must hold every "required" attribute, nothing the class does not define, values
  of the attribute's type (types resolve to string, integer, long, float, boolean or json;
  their regex and range are checked), enum ids the definition lists, and every object's
  at_least_one / just_one constraint;
- the ids agree: class_uid = category_uid * 1000 + the class's uid, type_uid = class_uid *
  100 + activity_id, metadata.version = the schema's version.

  ocsf.py SCHEMA_DIR CLASS FILE...   exits 1 with every error found, one per line
"""
import json
import os
import re
import sys


class Schema:
    def __init__(self, root):
        self.root = root
        self.dict = self.load("dictionary.json")
        self.types = self.dict["types"]["attributes"]
        self.version = self.load("version.json")["version"]
        self.categories = self.load("categories.json")["attributes"]
        self.objects = {}
        self.files = {}
        for sub in ("objects", "events"):
            for d, _, names in os.walk(os.path.join(root, sub)):
                for n in names:
                    if n.endswith(".json"):
                        p = os.path.relpath(os.path.join(d, n), root)
                        self.files[(sub, json.load(open(os.path.join(root, p)))["name"])] = p
        self.cache = {}

    def load(self, rel):
        with open(os.path.join(self.root, rel)) as f:
            return json.load(f)

    def merged(self, kind, name):
        """The attributes of an object or class, through extends, profiles and $include."""
        key = (kind, name)
        if key in self.cache:
            return self.cache[key]
        if key not in self.files:
            raise KeyError("%s %r is not in %s" % (kind, name, self.root))
        d = self.load(self.files[key])
        attrs, constraints = {}, {}
        parent = d.get("extends")
        if parent is not None and parent != name:
            pa, pc = self.merged(kind, parent)
            attrs = {k: dict(v) for k, v in pa.items()}
            constraints = dict(pc)
        own = dict(d.get("attributes", {}))
        inc = own.pop("$include", [])
        inc = [inc] if isinstance(inc, str) else inc
        for p in d.get("profiles", []):
            path = "profiles/%s.json" % p
            if path not in inc:
                inc.append(path)
        for path in inc:
            prof = self.load(path)
            for k, v in prof.get("attributes", {}).items():
                attrs.setdefault(k, {}).update(v)
                if prof.get("meta") == "profile":
                    attrs[k]["profile"] = prof["name"]
        for k, v in own.items():
            attrs.setdefault(k, {}).update(v)
            if k in attrs and "profile" in attrs[k] and "requirement" in v:
                del attrs[k]["profile"]
        constraints.update(d.get("constraints", {}))
        self.cache[key] = (attrs, constraints)
        return attrs, constraints

    def attr(self, defn, name):
        """An attribute's dictionary entry refined by the class or object's definition (an
        enum the definition gives adds to the dictionary's, as OCSF's server merges them)."""
        base = self.dict["attributes"].get(name, {})
        a = dict(base)
        a.update(defn)
        if "enum" in base and "enum" in defn:
            a["enum"] = dict(base["enum"], **defn["enum"])
        return a

    def base_type(self, t):
        while t in self.types and "type" in self.types[t]:
            t = self.types[t]["type"]
        return t


class Checker:
    def __init__(self, schema):
        self.s = schema
        self.errors = []
        # the profiles the event applies (metadata.profiles): only their attributes can be
        # required of it
        self.profiles = set()

    def err(self, path, msg):
        self.errors.append("%s: %s" % (path, msg))

    def value(self, path, a, v):
        t = a.get("type")
        if t is None:
            self.err(path, "no type in the dictionary")
        elif t == "object":
            # OCSF's free-form object (unmapped, vendor data): any JSON object
            if not isinstance(v, dict):
                self.err(path, "not an object")
        elif ("objects", t) in self.s.files:
            if not isinstance(v, dict):
                self.err(path, "not an object (%s)" % t)
            else:
                self.obj(path, "objects", t, v)
        else:
            self.scalar(path, a, t, v)

    def scalar(self, path, a, t, v):
        base = self.s.base_type(t)
        ok = {
            "string_t": lambda x: isinstance(x, str),
            "integer_t": lambda x: isinstance(x, int) and not isinstance(x, bool)
            and -2**31 <= x < 2**31,
            "long_t": lambda x: isinstance(x, int) and not isinstance(x, bool),
            "float_t": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
            "boolean_t": lambda x: isinstance(x, bool),
            "json_t": lambda x: True,
        }.get(base)
        if ok is None:
            self.err(path, "unknown type %s" % t)
            return
        if not ok(v):
            self.err(path, "%r is not a %s" % (v, t))
            return
        td = self.s.types.get(t, {})
        if "regex" in td and not re.search(td["regex"], v):
            self.err(path, "%r does not match %s's pattern" % (v, t))
        if "range" in td and not td["range"][0] <= v <= td["range"][1]:
            self.err(path, "%r out of %s's range" % (v, t))
        if "enum" in a and str(v) not in a["enum"]:
            self.err(path, "%r is not one of %s" % (v, sorted(a["enum"], key=int)))

    def obj(self, path, kind, name, v):
        attrs, constraints = self.s.merged(kind, name)
        for k, d in attrs.items():
            applied = d.get("profile") is None or d["profile"] in self.profiles
            if d.get("requirement") == "required" and k not in v and applied:
                self.err(path, "required attribute %s is missing" % k)
        for k, x in v.items():
            p = "%s.%s" % (path, k)
            if k not in attrs:
                self.err(p, "not an attribute of %s" % name)
                continue
            a = self.s.attr(attrs[k], k)
            if kind == "events" and k in ("category_uid", "class_uid", "type_uid"):
                # base_event's enums name only itself; each class's ids are checked in event()
                a.pop("enum", None)
            if a.get("is_array"):
                if not isinstance(x, list):
                    self.err(p, "not an array")
                    continue
                for i, e in enumerate(x):
                    self.value("%s[%d]" % (p, i), a, e)
            else:
                self.value(p, a, x)
        for rule, names in constraints.items():
            n = sum(1 for k in names if k in v)
            if rule == "at_least_one" and n < 1:
                self.err(path, "needs at least one of %s" % names)
            if rule == "just_one" and n != 1:
                self.err(path, "needs exactly one of %s" % names)

    def event(self, path, cls, ev):
        self.profiles = set(ev.get("metadata", {}).get("profiles", []))
        self.obj(path, "events", cls, ev)
        d = self.s.load(self.s.files[("events", cls)])
        cat = self.s.categories[d.get("category") or self.category_of(cls)]
        class_uid = cat["uid"] * 1000 + d["uid"]
        if ev.get("category_uid") != cat["uid"]:
            self.err(path, "category_uid is not %d" % cat["uid"])
        if ev.get("class_uid") != class_uid:
            self.err(path, "class_uid is not %d" % class_uid)
        if ev.get("type_uid") != class_uid * 100 + ev.get("activity_id", -1):
            self.err(path, "type_uid is not class_uid * 100 + activity_id")
        if ev.get("metadata", {}).get("version") != self.s.version:
            self.err(path, "metadata.version is not %s" % self.s.version)

    def category_of(self, cls):
        """A class without its own category takes its parent's (finding: findings)."""
        d = self.s.load(self.s.files[("events", cls)])
        while "category" not in d:
            d = self.s.load(self.s.files[("events", d["extends"])])
        return d["category"]


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: ocsf.py SCHEMA_DIR CLASS FILE...")
    c = Checker(Schema(sys.argv[1]))
    n = 0
    for f in sys.argv[3:]:
        with open(f, "rb") as fh:
            data = fh.read()
        if not data.endswith(b"\n"):
            c.err(f, "NDJSON must end with a newline")
        for i, line in enumerate(data.decode("utf-8").splitlines(), 1):
            try:
                ev = json.loads(line)
            except ValueError as e:
                c.err("%s:%d" % (f, i), "not JSON: %s" % e)
                continue
            c.event("%s:%d" % (f, i), sys.argv[2], ev)
            n += 1
    for e in c.errors:
        print(e)
    if c.errors or n == 0:
        sys.exit(1)
    print("%d event(s) valid OCSF %s %s" % (n, c.s.version, sys.argv[2]))


if __name__ == "__main__":
    main()
