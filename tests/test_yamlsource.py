"""The YAML loader: located errors, safe typing, no aliases, duplicate keys."""

from __future__ import annotations

from dossier.io.yamlsource import MAX_DEPTH, format_path, load_file, load_text


def rules(result):
    return [f.rule for f in result.findings]


def test_values_and_keys_are_located():
    r = load_text("a:\n  b: 1\n  c:\n    - x\n    - y\n", "f.yaml")
    assert r.findings == []
    assert r.source_map.values[("a", "b")] == (2, 6)
    assert r.source_map.keys[("a", "c")] == (3, 3)
    assert r.source_map.values[("a", "c", 1)] == (5, 7)


def test_locate_falls_back_to_longest_existing_prefix():
    r = load_text("a:\n  b: 1\n", "f.yaml")
    loc = r.source_map.locate(("a", "missing", 3))
    assert (loc.line, loc.column) == (2, 3)


def test_plain_scalars_stay_strings_no_yaml11_surprises():
    r = load_text("states: [NO, DE]\nversion: 1.10\nflag: on\nwhen: 2024-01-05\nn: 0777\n", "f.yaml")
    assert r.data == {"states": ["NO", "DE"], "version": "1.10", "flag": "on", "when": "2024-01-05", "n": "0777"}


def test_null_forms_become_none_but_quoted_empty_string_stays():
    r = load_text("a: ~\nb: null\nc:\nd: ''\ne: 'null'\n", "f.yaml")
    assert r.data == {"a": None, "b": None, "c": None, "d": "", "e": "null"}


def test_syntax_error_is_located():
    r = load_text("a:\n  b: 1\n c: 2\n", "f.yaml")
    assert rules(r) == ["YAML-SYNTAX"]
    assert r.findings[0].location.line == 3


def test_tab_indentation_is_a_located_syntax_error():
    r = load_text("a:\n\tb: 1\n", "f.yaml")
    assert rules(r) == ["YAML-SYNTAX"]
    assert r.findings[0].location.line == 2


def test_unclosed_quote_is_a_syntax_error():
    r = load_text('a: "open\nb: 2\n', "f.yaml")
    assert rules(r) == ["YAML-SYNTAX"]


def test_duplicate_key_is_reported_at_the_second_key():
    r = load_text("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert rules(r) == ["YAML-DUPLICATE-KEY"]
    f = r.findings[0]
    assert (f.location.line, f.location.column) == (3, 1)
    assert "line 1" in f.message
    assert r.data["a"] == "1"


def test_aliases_are_refused():
    r = load_text("a: &x [1, 2]\nb: *x\n", "f.yaml")
    assert rules(r) == ["YAML-ALIAS"]
    assert r.findings[0].location.line == 2


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    r = load_text("\n".join(lines) + "\n", "bomb.yaml")
    assert "YAML-ALIAS" in rules(r)


def test_python_tags_are_refused():
    r = load_text("a: !!python/object/apply:os.system ['echo hi']\n", "f.yaml")
    assert rules(r) == ["YAML-TAG"]


def test_excessive_depth_is_refused():
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    r = load_text(text, "deep.yaml")
    assert "YAML-DEPTH" in rules(r)


def test_empty_file(tmp_path):
    p = tmp_path / "e.yaml"
    p.write_text("# only a comment\n")
    assert rules(load_file(p)) == ["YAML-EMPTY"]


def test_top_level_list_or_scalar_is_refused():
    assert rules(load_text("- a\n- b\n", "f.yaml")) == ["YAML-ROOT"]
    assert rules(load_text("just text\n", "f.yaml")) == ["YAML-ROOT"]


def test_non_utf8_is_located(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes("a: ok\nb: caf\xe9\n".encode("latin-1"))
    r = load_file(p)
    assert rules(r) == ["YAML-ENCODING"]
    assert (r.findings[0].location.line, r.findings[0].location.column) == (2, 7)


def test_utf8_bom_is_accepted(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes(b"\xef\xbb\xbfa: 1\n")
    r = load_file(p)
    assert r.findings == [] and r.data == {"a": "1"}


def test_size_limit(tmp_path, monkeypatch):
    import dossier.io.yamlsource as ys

    monkeypatch.setattr(ys, "MAX_FILE_BYTES", 10)
    p = tmp_path / "big.yaml"
    p.write_text("a: 0123456789\n")
    assert rules(load_file(p)) == ["YAML-SIZE"]


def test_format_path():
    assert format_path(("quality", "lots", 2, "id")) == "quality.lots[2].id"
    assert format_path(()) == ""
