"""Regenerate the spec subsets bundled here from Veeam's full OpenAPI specs (../shared/specs).

The simulator needs the specs at run time (permission names, and the request/response schemas of its
--validate-spec test mode). The full specs live outside this repository, so the parts the simulator serves are
bundled here, byte-for-byte subsets of Veeam's published specs (see ../../../../shared/specs/SOURCES.md):
every path under /api/oauth2/, /api/v1/security/, /api/v1/authorization/ and /api/v1/serverInfo, and every
component they reach.

    python -m tests.simulator.specs.refresh          # from the repository root
"""

import json
import os
import sys

from tests.simulator.spec_validation import SPEC_FILES, subset_spec

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "..", "shared", "specs")


def all_claims(spec):
    claims = set()
    for operations in spec["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict):
                claims.update((operation.get("x-veeam-authorize") or {}).get("claims", []))
    return sorted(claims)


def main():
    if not os.path.isdir(SHARED):
        sys.exit("no %s: the full specs are needed to regenerate the subsets" % SHARED)
    for version, filename in SPEC_FILES.items():
        with open(os.path.join(SHARED, filename)) as handle:
            spec = json.load(handle)
        with open(os.path.join(HERE, filename), "w") as handle:
            json.dump(subset_spec(spec), handle, indent=1, sort_keys=True)
        if version == "1.3-rev1":
            with open(os.path.join(HERE, "claims.json"), "w") as handle:
                json.dump({"source": filename, "claims": all_claims(spec)}, handle, indent=1)
    print("wrote the spec subsets and claims.json to %s" % HERE)


if __name__ == "__main__":
    main()
