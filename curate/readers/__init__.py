"""Readers of untrusted input files, in batches, so memory does not grow with the file."""
