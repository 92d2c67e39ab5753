"""Benchmarks (``python -m tests.bench.run``): medians and ratios against baselines measured
in the same run. Not collected by plain pytest (``norecursedirs``); no file here is named
``test_*``."""
