"""Validates an OCDS 1.1 release package (file given as the only argument) against the
official 1.1.5 schemas kept beside this script, offline, and checks the values of the open
codelists Pi.Co. uses. Prints one problem per line; exits 1 if there is any."""

import csv
import json
import pathlib
import sys

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = pathlib.Path(__file__).parent / "schema-1.1.5"


def load(name):
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def codes(codelist):
    with open(SCHEMAS / "codelists" / codelist, encoding="utf-8") as f:
        return {row["Code"] for row in csv.DictReader(f)}


def main(path):
    package_schema = load("release-package-schema.json")
    release_schema = load("release-schema.json")
    registry = Registry().with_resources(
        (s["id"], Resource.from_contents(s, default_specification=DRAFT4))
        for s in (package_schema, release_schema)
    )
    validator = Draft4Validator(
        package_schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )
    package = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(package)
    ]
    roles, documents, schemes = (
        codes("partyRole.csv"),
        codes("documentType.csv"),
        codes("itemClassificationScheme.csv"),
    )
    for release in package.get("releases", []):
        ocid = release.get("ocid")
        for party in release.get("parties", []):
            problems += [f"{ocid}: unknown party role {r}" for r in party.get("roles", []) if r not in roles]
        tender = release.get("tender", {})
        problems += [
            f"{ocid}: unknown document type {d.get('documentType')}"
            for d in tender.get("documents", [])
            if d.get("documentType") not in documents
        ]
        problems += [
            f"{ocid}: unknown classification scheme {i['classification'].get('scheme')}"
            for i in tender.get("items", [])
            if i.get("classification", {}).get("scheme") not in schemes
        ]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
