"""ACLED: its codebook, the importer of its exports and the exporter to its layout."""
