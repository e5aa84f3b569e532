"""Use cases: load rows, build plain data, call the domain, persist."""
