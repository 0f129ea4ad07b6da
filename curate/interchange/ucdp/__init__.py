"""UCDP GED: the importer of its exports."""
