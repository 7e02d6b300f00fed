"""Benchmarks: the site measured against a bare baseline served the same way (``make bench``)."""
