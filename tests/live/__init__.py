"""make test-live: the live conformance kit against a real VBR server and/or Enterprise Manager."""
