"""The commands of `curate`, one module per command group; `curate.cli.app` registers them."""
