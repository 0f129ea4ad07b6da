"""A dataset's records on disk, and the commands that change them."""
