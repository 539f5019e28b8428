"""Use cases: the only layer that joins domain, store and engines, one transaction each."""
