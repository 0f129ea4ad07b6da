"""The hostile-input corpus: each case an input file built here, with its exact outcome."""
