"""Turn results into Views: the JSON document plus the text blocks a person reads.

One room per command family, imported by the command that shows it (nothing is imported here, so
a command loads only its own view): browse (list, show, compare, models, detect), catalog (catalog
info, validate, paths, import, update), recommend, translate (one spec, or `--file`), estimate,
check, cost; common holds the cells and CSV helpers they share.
"""
