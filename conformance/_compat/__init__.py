"""The only doors to undocumented names of the harness's dependencies.

Every private or undocumented name of Schemathesis (:mod:`.schemathesis`) and Hypothesis
(:mod:`.hypothesis`) the harness uses is reached through these modules, and
``tests/test_compat_harness.py`` asserts each assumption they make, so an upgrade that breaks
one fails there, by name, instead of deep inside a run.
"""
