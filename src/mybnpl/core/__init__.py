"""Domain types and rules. Pure Python: no Qt, no I/O, imports nothing else of mybnpl."""
