"""Reading, checking and rewriting the GPU configurations of provider apps (files are parsed, never run).

Four rooms, each depending only on the ones before it:
  evaluate/  what an expression's value is from the source alone (pyscope: bindings; staticeval: values;
             guards: whether a module-level `if` re-assigns a constant)
  read/      where the GPU configurations are: findings.py (the Finding / Scan records), filescan.py
             (Python apps, by call shape), anchors.py (where a site is written), configscan.py
             (provider config files, by name), project.py (an app's local modules), scan.py (one
             entry point for a file)
  check/     lint rules on the findings (lint.py: GA101-GA113, SARIF)
  write/     provider syntax (syntax.py), findings translated (apptranslate.py), rewrites applied to the
             files (rewrite.py) and verified by re-reading them (writeback.py)
"""
