"""The shared vocabulary every package may import: the error tree, the enums, the brand configuration model and
the values that cross seams. It imports nothing else of ours (lint-imports checks that)."""
