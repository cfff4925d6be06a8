"""The decision form from the JSON Schema, the values read back, and the highlighted first e-mail."""

from __future__ import annotations

import pytest

from mail2ticket.taxonomy import load_taxonomy
from review_app.forms import (
    errors_by_field,
    field_inputs,
    find_first_email,
    highlight,
    parse_fields,
    split_list,
)

TAXONOMY = load_taxonomy()


def category_with(field_type: str):
    for category in TAXONOMY.categories:
        for name, spec in category.fields.items():
            if spec.type == field_type:
                return category, name
    raise AssertionError(f"no {field_type} field in the taxonomy")


def test_each_json_type_gets_its_input() -> None:
    supervision = TAXONOMY.by_key("supervision")
    inputs = {i.name: i for i in field_inputs(supervision, {"hostname": "srv-01", "severity": "DOWN"})}
    assert set(inputs) == set(supervision.fields)
    assert inputs["hostname"].kind == "text" and inputs["hostname"].value == "srv-01"
    assert inputs["severity"].kind == "select" and "CRITICAL" in inputs["severity"].options
    assert inputs["alert_time"].kind == "datetime"
    assert inputs["hostname"].input_name == "f.supervision.hostname"
    assert (inputs["hostname"].label, inputs["alert_time"].label) == ("Serveur", "Heure de l'alerte")
    kinds = {"date": "date", "boolean": "checkbox", "integer": "integer", "string_list": "list"}
    for field_type, kind in kinds.items():
        try:
            category, name = category_with(field_type)
        except AssertionError:
            continue  # the taxonomy may not use every type
        value = {"boolean": True, "string_list": ["a", "b"], "date": "2025-03-01", "integer": 3}[field_type]
        made = {i.name: i for i in field_inputs(category, {name: value}, {name: "faux"})}[name]
        assert made.kind == kind and made.error == "faux"
        if kind == "list":
            assert made.value == "a\nb"
        if kind == "checkbox":
            assert made.checked and made.was_set


def test_values_are_read_back_typed() -> None:
    category, list_name = category_with("string_list")
    key = category.key
    fields, errors = parse_fields(category, {f"f.{key}.{list_name}": ["srv-a, srv-b ,, srv-c"]})
    assert errors == {} and fields == {list_name: ["srv-a", "srv-b", "srv-c"]}
    fields, _ = parse_fields(category, {f"f.{key}.{list_name}": ["C:\\data, 2024\n/var/lib\n\n"]})
    assert fields[list_name] == ["C:\\data, 2024", "/var/lib"]  # several lines: commas are kept

    supervision = TAXONOMY.by_key("supervision")
    form = {"f.supervision.hostname": ["  srv-01 "], "f.supervision.severity": [""],
            "f.supervision.alert_time": ["2025-03-01T08:15"]}  # fmt: skip
    fields, errors = parse_fields(supervision, form)
    assert errors == {}
    assert fields["hostname"] == "srv-01" and "severity" not in fields  # blank: absent, never ""
    assert fields["alert_time"].startswith("2025-03-01T08:15:00+01:00")  # no offset typed: Paris time

    _, errors = parse_fields(supervision, {"f.supervision.severity": ["GRAVE"], "f.supervision.alert_time": ["hier"]})
    assert set(errors) == {"severity", "alert_time"}


def test_dates_integers_and_booleans() -> None:
    restauration = TAXONOMY.by_key("restauration")
    fields, errors = parse_fields(restauration, {"f.restauration.restore_date": ["2025-02-30"]})
    assert "restore_date" in errors and "AAAA-MM-JJ" in errors["restore_date"]
    fields, errors = parse_fields(restauration, {"f.restauration.restore_date": ["2025-02-28"]})
    assert fields == {"restore_date": "2025-02-28"} and not errors

    try:
        category, name = category_with("boolean")
    except AssertionError:
        pytest.skip("no boolean field in the taxonomy")
    box = f"f.{category.key}.{name}"
    assert parse_fields(category, {box: ["on"]})[0] == {name: True}
    assert parse_fields(category, {})[0] == {}  # unchecked, and the model had said nothing: absent
    assert parse_fields(category, {box + ".set": ["1"]})[0] == {name: False}  # unchecked, the model had a value


def test_store_errors_go_next_to_their_field() -> None:
    supervision = TAXONOMY.by_key("supervision")
    found = errors_by_field(supervision, ["severity: 'X' is not one of [...]", "fields: additional properties"])
    assert found["severity"].endswith("'X' is not one of [...]")
    assert "additional properties" in found[""]


def test_split_list() -> None:
    assert split_list("a, b") == ["a", "b"]
    assert split_list("a\nb, c") == ["a", "b, c"]
    assert split_list("  ") == []


def test_the_first_email_is_found_and_everything_is_escaped() -> None:
    first = "Bonjour,\nle <b>serveur</b> srv-01 est DOWN & injoignable."
    thread = f"Re: incident\n<script>alert('x')</script>\n\n> {first}\n"
    html, found = highlight(thread, first)
    assert found
    assert (
        '<mark id="premier-email">Bonjour,\nle &lt;b&gt;serveur&lt;/b&gt; srv-01 est DOWN &amp; injoignable.</mark>'
        in html
    )
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert html.count("<") == 2  # only our <mark> and </mark>

    # Quoted threads reflow the text: the match ignores line breaks and repeated spaces.
    reflowed = "Bonjour,   le <b>serveur</b>\nsrv-01 est DOWN &\n injoignable."
    assert find_first_email(f"avant\n{reflowed}\naprès", first) == (6, 6 + len(reflowed))
    quoted = "> Bonjour,\n> le <b>serveur</b> srv-01\n> est DOWN & injoignable."
    assert find_first_email(f"Réponse\n{quoted}\n", first) == (10, 8 + len(quoted))  # a reply's > markers

    html, found = highlight("un autre texte <i>", first)
    assert not found and html == "un autre texte &lt;i&gt;"
    assert highlight(None, first) == ("", False)
    assert find_first_email("abc", "   ") is None
