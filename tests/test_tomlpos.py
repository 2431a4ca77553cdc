"""TOML key -> line (gpuadvisor/tomlpos.py). What is inside a value never counts as a key or a
header: strings with escaped quotes, brackets in strings, multi-line arrays, comments.

Its running time (linear, D4 of the reliability audit) is measured in `make fuzz`, not here.
"""

from __future__ import annotations

import tomllib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpuadvisor.catalog import validate_paths
from gpuadvisor.tomlpos import key_lines, line_of, split_key

TRICKY = '''[workload.x]
name = "x"
description = """
a \\""" is not the end, nor is \\\\\\""" this
[not.a.header
"""
weights = { price = 1 }
[[offering]]
name = "a"  # [comment]
arr = [
  "]", { x = "[" },  # ]]]
  '[', """
[[fake]]
""",
]
after = 1
[[offering]]

# [fake]
name = "b"
[offering.price]
per_hour = 1
[gpu."h100.sxm" . 'nested']
k = """a""""
k2 = 2
'''


def test_strings_brackets_and_comments_inside_values_are_skipped():
    tomllib.loads(TRICKY)  # valid TOML
    lines = key_lines(TRICKY)
    assert lines[("workload", "x", "weights")] == 7
    assert lines[("offering", 0, "arr")] == 10 and lines[("offering", 0, "after")] == 16
    assert lines[("offering", 1, "name")] == 20 and lines[("offering", 1, "price", "per_hour")] == 22
    assert lines[("gpu", "h100.sxm", "nested", "k2")] == 25
    assert not [k for k in lines if "not" in k or "fake" in k]


def test_the_audit_s_pathological_file_gets_the_right_line(tmp_path):
    # D4: an escaped quote ended the string for the old scanner, which then read what follows in
    # the string as tables and keys (and a `[` plus spaces with a cubic-time regex)
    p = tmp_path / "r.toml"
    p.write_text('[workload.x]\ndescription = """\n\\"""\n[other]\n[' + " " * 300 + 'a\n"""\nbogus = 1\n')
    [report] = validate_paths([p])
    assert [(x.line, x.key) for x in report.problems][:1] == [(7, "workload.x.bogus")]


def test_dotted_and_quoted_keys():
    assert split_key(' a . "b.c" . \'d\' ') == ("a", "b.c", "d")
    lines = key_lines('x.y = 1\n"q k".z = 2\n')
    assert lines[("x", "y")] == 1 and lines[("q k", "z")] == 2
    assert line_of(lines, ("x", "y", "deeper", 3)) == 1 and line_of(lines, ("nope",)) is None


def test_deep_paths_are_cut():
    header = "[" + ".".join(["a"] * 5000) + "]\nk = 1\n"
    lines = key_lines(header)
    assert max(len(k) for k in lines) <= 24 and min(lines.values()) == 1


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list('[]{}"\'\\#=.\n \ta1_-')), max_size=400))
def test_any_text_gives_lines_within_the_file(text):
    lines = key_lines(text)
    n = text.count("\n") + 1
    assert all(1 <= v <= n for v in lines.values())
