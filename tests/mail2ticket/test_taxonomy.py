"""The taxonomy file: the paper's 9 labels, schemas, and errors that say where a file is broken."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from mail2ticket.taxonomy import DEFAULT_TAXONOMY_PATH, UNKNOWN, TaxonomyError, load_taxonomy

PAPER_LABELS = [
    "Demande de service/Backup #BCS/Autre",
    "Demande de service/Backup #BCS/Demande de renseignement",
    "Demande de service/Backup #BCS/Restauration qualifiée",
    "Demande de service/Backup #BCS/Stratégie de sauvegarde/Création",
    "Demande de service/Backup #BCS/Stratégie de sauvegarde/Modification",
    "Demande de service/Backup #BCS/Stratégie de sauvegarde/Suppression",
    "Demande de service/Cyber Sécurité #CS2/Bastion/Création-Modification d'entrées",
    "Incidents/Backup #BCS/Sauvegarde",
    "Incidents/Supervision",
]


def test_labels_are_the_papers_nine_plus_unknown() -> None:
    taxonomy = load_taxonomy()
    assert sorted(taxonomy.labels) == sorted(PAPER_LABELS)
    assert taxonomy.labels_with_unknown[-1] == UNKNOWN


def test_restoration_has_the_papers_five_fields() -> None:
    category = load_taxonomy().category("Demande de service/Backup #BCS/Restauration qualifiée")
    assert list(category.fields) == ["restore_date", "source_path", "restore_type", "destination_path", "hostname"]
    assert category.fields["restore_type"].enum == ["fichier", "dossier", "vm", "base de données", "messagerie"]


@pytest.mark.parametrize("label", PAPER_LABELS)
def test_each_category_schema_is_valid_json_schema_and_enforces_types(label: str) -> None:
    taxonomy = load_taxonomy()
    schema = taxonomy.json_schema(label)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate({})  # every field is optional
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"not_a_field": "x"})
    for name, spec in taxonomy.category(label).fields.items():
        wrong = "text" if spec.type in ("boolean", "integer", "string_list") else 12
        with pytest.raises(jsonschema.ValidationError):
            validator.validate({name: wrong})


def test_date_fields_reject_non_iso_dates() -> None:
    schema = load_taxonomy().json_schema("Demande de service/Backup #BCS/Restauration qualifiée")
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate({"restore_date": "2025-03-12"})
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"restore_date": "12/03/2025"})


def test_digest_changes_with_content(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    raw["categories"][0]["review_threshold"] = 0.5
    other = tmp_path / "taxonomy.yaml"
    other.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert load_taxonomy(other).digest != load_taxonomy().digest


def _broken(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_bad_field_type_names_file_category_and_field(tmp_path: Path) -> None:
    def mutate(raw):
        raw["categories"][1]["fields"]["restore_date"]["type"] = "timestamp"

    path = _broken(tmp_path, mutate)
    with pytest.raises(TaxonomyError) as error:
        load_taxonomy(path)
    message = str(error.value)
    assert str(path) in message
    assert "Restauration qualifiée" in message
    assert "'restore_date'" in message


def test_enum_on_a_non_string_field_is_rejected(tmp_path: Path) -> None:
    def mutate(raw):
        raw["categories"][5]["fields"]["delete_existing_backups"]["enum"] = ["oui", "non"]

    with pytest.raises(TaxonomyError, match="delete_existing_backups"):
        load_taxonomy(_broken(tmp_path, mutate))


def test_duplicate_and_missing_unknown_are_rejected(tmp_path: Path) -> None:
    def duplicate(raw):
        raw["categories"][2]["name"] = raw["categories"][0]["name"]

    with pytest.raises(TaxonomyError, match="duplicate category name"):
        load_taxonomy(_broken(tmp_path, duplicate))

    def no_unknown(raw):
        raw["categories"] = [c for c in raw["categories"] if c["name"] != UNKNOWN]

    with pytest.raises(TaxonomyError, match="unknown"):
        load_taxonomy(_broken(tmp_path, no_unknown))


def test_invalid_yaml_and_missing_file_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ncategories: [\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"bad\.yaml: not valid YAML"):
        load_taxonomy(bad)
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "absent.yaml")


def test_category_labels_are_written_in_the_taxonomy_only() -> None:
    """Code names a category by its key; its label lives in taxonomy.yaml and nowhere else.

    Tests may write labels (a test of the paper's fuzzy matching must spell them, misspell
    them); the product's Python source may not, or renaming a category in the YAML would leave
    a copy of the old name behind.
    """
    import subprocess

    repo = Path(__file__).resolve().parents[2]
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=repo, capture_output=True, text=True, check=True)
    sources = [repo / line for line in listed.stdout.split() if not line.startswith("tests/")]
    assert any(path.name == "corpus.py" for path in sources)  # the scan sees the generator
    labels = load_taxonomy().labels
    found = {
        f"{path.relative_to(repo)}: {label}"
        for path in sources
        for label in labels
        if label in path.read_text(encoding="utf-8")
    }
    assert not found, "category labels written outside taxonomy.yaml:\n" + "\n".join(sorted(found))


def test_code_names_categories_by_key() -> None:
    taxonomy = load_taxonomy()
    restauration = taxonomy.by_key("restauration")
    assert taxonomy.label("restauration") == restauration.name and taxonomy.key_of(restauration.name) == "restauration"
    assert taxonomy.key_of("Facturation/Relance") is None
    with pytest.raises(KeyError, match="no category with key 'facturation'"):
        taxonomy.by_key("facturation")


def test_copied_fields_are_marked_in_the_yaml() -> None:
    """Values that are text of the e-mail carry ``copied``; hostnames are looked for without case."""
    taxonomy = load_taxonomy()
    copied = {(c.key, name): spec.ignore_case for c in taxonomy.categories for name, spec in c.fields.items()
              if spec.copied}  # fmt: skip
    assert copied == {
        ("supervision", "hostname"): True,
        ("restauration", "source_path"): False,
        ("restauration", "destination_path"): False,
        ("restauration", "hostname"): True,
        ("incident_sauvegarde", "hostname"): True,
        ("incident_sauvegarde", "job_name"): False,
        ("incident_sauvegarde", "error_message"): False,
        ("bcs_autre", "hostnames"): True,
        ("strategie_creation", "hostnames"): True,
        ("strategie_creation", "paths"): False,
        ("strategie_suppression", "hostnames"): True,
        ("renseignement", "hostnames"): True,
        ("strategie_modification", "hostnames"): True,
        ("bastion", "user_accounts"): False,
        ("bastion", "target_hosts"): True,
    }
    assert taxonomy.by_key("restauration").copied_fields == {"source_path": False, "destination_path": False,
                                                             "hostname": True}  # fmt: skip
    # Every field named like a host is copied: a new one added without the attribute fails here.
    for category in taxonomy.categories:
        for name, spec in category.fields.items():
            if "host" in name or "path" in name or name in ("job_name", "error_message", "user_accounts"):
                assert spec.copied, (category.key, name)


def test_comparison_is_fuzzy_for_free_text_and_exact_otherwise() -> None:
    taxonomy = load_taxonomy()
    comparison = {(c.key, n): s.comparison for c in taxonomy.categories for n, s in c.fields.items()}
    fuzzy = sorted(k for k, v in comparison.items() if v == "fuzzy")
    assert fuzzy == sorted([
        ("supervision", "service"), ("incident_sauvegarde", "error_message"), ("bcs_autre", "summary"),
        ("strategie_creation", "schedule"), ("strategie_creation", "retention"), ("renseignement", "question"),
        ("strategie_modification", "requested_change"), ("strategie_modification", "schedule"),
        ("strategie_modification", "retention"),
    ])  # fmt: skip
    # error_message is copied, yet compared fuzzily because the YAML says so; the rest follow the default.
    assert taxonomy.by_key("incident_sauvegarde").fields["error_message"].match == "fuzzy"
    assert comparison[("restauration", "restore_date")] == comparison[("restauration", "restore_type")] == "exact"
    assert comparison[("restauration", "hostname")] == comparison[("bastion", "protocols")] == "exact"


def test_post_processing_attributes_stay_out_of_the_schema_and_the_digest(tmp_path: Path) -> None:
    """``copied``, ``ignore_case``, ``match`` and the reviewers' ``label`` change neither what the model
    decodes nor the adapter digest."""
    attributes = ("copied", "ignore_case", "match", "label")
    taxonomy = load_taxonomy()
    for category in taxonomy.categories:
        for spec in category.json_schema()["properties"].values():
            assert not set(attributes) & set(spec)
    raw = yaml.safe_load(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    for category in raw["categories"]:
        for spec in (category.get("fields") or {}).values():
            for attribute in attributes:
                spec.pop(attribute, None)
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    stripped = load_taxonomy(bare)
    assert not any(s.copied or s.label for c in stripped.categories for s in c.fields.values())
    assert stripped.digest == taxonomy.digest


def test_every_field_has_a_label_for_the_reviewers() -> None:
    """The review page is French: each field shows its label, not its identifier."""
    for category in load_taxonomy().categories:
        for name, spec in category.fields.items():
            assert spec.label.strip() and spec.label != name, (category.key, name)


@pytest.mark.parametrize(
    ("field", "attributes", "message"),
    [
        ("restore_date", {"copied": True}, "'copied' is only allowed"),
        ("restore_type", {"copied": True}, "'copied' and 'enum' exclude"),
        ("source_path", {"ignore_case": True, "copied": False}, "'ignore_case' is only allowed"),
        ("restore_date", {"match": "fuzzy"}, "'match: fuzzy' is only allowed"),
        ("source_path", {"match": "approximate"}, "'source_path'"),
    ],
)
def test_inconsistent_field_conventions_are_rejected(
    tmp_path: Path, field: str, attributes: dict, message: str
) -> None:
    def mutate(raw):
        restauration = next(c for c in raw["categories"] if c["key"] == "restauration")
        restauration["fields"][field].update(attributes)

    with pytest.raises(TaxonomyError, match=message) as error:
        load_taxonomy(_broken(tmp_path, mutate))
    assert f"'{field}'" in str(error.value)
