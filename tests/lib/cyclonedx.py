#!/usr/bin/env python3
"""cyclonedx.py SCHEMA_DIR BOM...: validates each BOM against the official CycloneDX 1.6 JSON
schema kept in SCHEMA_DIR (bom-1.6.schema.json with the spdx and jsf schemas it refers to),
offline. Prints each error with its JSON path; exits 1 if any BOM is invalid."""
import json
import os
import sys
import warnings

import jsonschema

warnings.simplefilter("ignore", DeprecationWarning)


def validator(schema_dir):
    store = {}
    for name in ("bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"):
        with open(os.path.join(schema_dir, name)) as fh:
            doc = json.load(fh)
        store[doc["$id"]] = doc
    bom = store["http://cyclonedx.org/schema/bom-1.6.schema.json"]
    resolver = jsonschema.RefResolver.from_schema(bom, store=store)
    return jsonschema.Draft7Validator(bom, resolver=resolver)


def main():
    v = validator(sys.argv[1])
    bad = 0
    for path in sys.argv[2:]:
        with open(path) as fh:
            doc = json.load(fh)
        for e in v.iter_errors(doc):
            bad += 1
            where = "/".join(str(p) for p in e.absolute_path)
            print(f"{path}: /{where}: {e.message[:300]}")
    sys.exit(1 if bad else 0)


main()
