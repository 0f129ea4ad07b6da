"""`python -m curate`: the same command line as the `curate` script."""

from curate.cli.app import main

main()
