"""Warning rules as values: severity tiers must grow, fingerprints are stable and subject-bound."""

from __future__ import annotations

import hashlib

import pytest

from citycarbon.domain.supervision.warning_rules import check_tiers, warning_fingerprint


def test_tiers_are_sorted_by_severity() -> None:
    assert check_tiers("r", [("high", 2.0), ("medium", 1.0)]) == (("medium", 1.0), ("high", 2.0))


@pytest.mark.parametrize("tiers", [[("medium", 2.0), ("high", 1.0)], [("medium", 1.0), ("high", 1.0)]])
def test_thresholds_that_do_not_grow_are_refused(tiers: list[tuple[str, float]]) -> None:
    with pytest.raises(ValueError, match="high"):
        check_tiers("r", tiers)  # type: ignore[arg-type]


def test_fingerprint_is_the_sha256_of_rule_version_and_subject() -> None:
    expected = hashlib.sha256(b"data_gap|1|7|2026-01-01").hexdigest()
    assert warning_fingerprint("data_gap", "1", 7, "2026-01-01") == expected
    assert warning_fingerprint("data_gap", "2", 7, "2026-01-01") != expected
