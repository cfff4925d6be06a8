"""The demo's sample e-mails carry what the table shows beside each ticket: category and fields."""

from __future__ import annotations

from mail2ticket.taxonomy import UNKNOWN, load_taxonomy
from pipelines.demo import SAMPLE_EMAILS, SAMPLE_OUT_OF_SCOPE, sample_emails


def test_sample_emails_are_of_different_categories_with_their_expected_fields() -> None:
    samples = sample_emails()
    assert len(samples) == SAMPLE_EMAILS + SAMPLE_OUT_OF_SCOPE
    in_scope = [category for _, category, _ in samples if category != UNKNOWN]
    assert len(set(in_scope)) == len(in_scope) == SAMPLE_EMAILS
    taxonomy = load_taxonomy()
    for email, category, fields in samples:
        if category == UNKNOWN:  # out of scope: nothing to extract
            assert email.strip() and fields == {}
            continue
        assert email.strip() and isinstance(fields, dict)
        assert set(fields) <= set(taxonomy.category(category).fields), (category, fields)
    assert any(fields for _, _, fields in samples)
