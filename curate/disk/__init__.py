"""The file-system primitives of every stage that writes: atomic writes, commits of
several files at once with their journal, and the locks of a dataset."""
