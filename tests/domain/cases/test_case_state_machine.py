"""The case state machine: every (state, action, role) triple is either in the spec or refused."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citycarbon.domain.supervision.cases import (
    ActorRole,
    CaseAction,
    CaseState,
    IllegalTransition,
    RoleNotAllowed,
    allowed_actions,
    check_open,
    decide,
    may_attach_evidence,
)

S, A, R = CaseState, CaseAction, ActorRole
STAFF = {R.ADMIN, R.ANALYST}
#: The specification, written out independently of the code's table.
SPEC: dict[tuple[CaseState, CaseAction], tuple[CaseState, set[ActorRole]]] = {
    (S.OPEN, A.ASSIGN): (S.ASSIGNED, STAFF),
    (S.ASSIGNED, A.ASSIGN): (S.ASSIGNED, STAFF),
    (S.ASSIGNED, A.START_INSPECTION): (S.INSPECTING, STAFF),
    (S.INSPECTING, A.REQUIRE_RECTIFICATION): (S.RECTIFYING, STAFF),
    (S.RECTIFYING, A.SUBMIT): (S.VERIFYING, {R.ENTERPRISE, R.ADMIN}),
    (S.VERIFYING, A.VERIFY_PASS): (S.CLOSED, STAFF),
    (S.VERIFYING, A.VERIFY_FAIL): (S.RECTIFYING, STAFF),
    (S.OPEN, A.CLOSE): (S.CLOSED, STAFF),
    (S.ASSIGNED, A.CLOSE): (S.CLOSED, STAFF),
    (S.INSPECTING, A.CLOSE): (S.CLOSED, STAFF),
    (S.CLOSED, A.REOPEN): (S.ASSIGNED, STAFF),
}


@pytest.mark.parametrize(("state", "action", "role"), list(itertools.product(S, A, R)))
def test_every_triple_is_allowed_exactly_when_the_spec_says(
    state: CaseState, action: CaseAction, role: ActorRole
) -> None:
    expected = SPEC.get((state, action))
    if expected is not None and role in expected[1]:
        assert decide(state, action, role, note="why", evidence_count=1) is expected[0]
        assert action in allowed_actions(state, frozenset({role}))
    else:
        with pytest.raises(IllegalTransition):
            decide(state, action, role, note="why", evidence_count=1)
        assert action not in allowed_actions(state, frozenset({role}))


def test_refusals_give_the_exact_reason() -> None:
    with pytest.raises(RoleNotAllowed) as role_error:
        decide(S.VERIFYING, A.VERIFY_PASS, R.ENTERPRISE)
    assert role_error.value.render() == (
        "The role enterprise may not take the action verify_pass on a case; allowed roles: admin, analyst"
    )
    with pytest.raises(IllegalTransition) as state_error:
        decide(S.OPEN, A.SUBMIT, R.ENTERPRISE, evidence_count=3)
    assert state_error.value.render() == (
        "A case in state open cannot take the action submit; it is allowed from: rectifying"
    )
    with pytest.raises(IllegalTransition) as evidence_error:
        decide(S.RECTIFYING, A.SUBMIT, R.ENTERPRISE, evidence_count=0)
    assert "at least one evidence file" in evidence_error.value.render()
    for action, state in ((A.CLOSE, S.OPEN), (A.VERIFY_FAIL, S.VERIFYING), (A.REOPEN, S.CLOSED)):
        with pytest.raises(IllegalTransition) as note_error:
            decide(state, action, R.ADMIN, note="  ")
        assert note_error.value.render() == f"The action {action.value} needs a note saying why"


def test_only_the_platform_and_staff_open_cases() -> None:
    assert {r for r in R if _opens(r)} == {R.SYSTEM, R.ADMIN, R.ANALYST}


def _opens(role: ActorRole) -> bool:
    try:
        return check_open(role) is S.OPEN
    except RoleNotAllowed:
        return False


def test_evidence_roles_per_state() -> None:
    assert may_attach_evidence(S.RECTIFYING, frozenset({R.ENTERPRISE}))
    assert not may_attach_evidence(S.VERIFYING, frozenset({R.ENTERPRISE}))
    assert may_attach_evidence(S.INSPECTING, frozenset({R.ANALYST}))
    assert not any(may_attach_evidence(s, frozenset(R)) for s in (S.OPEN, S.ASSIGNED, S.CLOSED))


steps = st.lists(
    st.tuples(st.sampled_from(list(A)), st.sampled_from(list(R)), st.booleans(), st.integers(0, 2)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_random_action_sequences_only_follow_the_spec(
    sequence: list[tuple[CaseAction, ActorRole, bool, int]],
) -> None:
    state = check_open(R.SYSTEM)
    history = [state]
    for action, role, with_note, evidence in sequence:
        note = "reason" if with_note else ""
        try:
            after = decide(state, action, role, note=note, evidence_count=evidence)
        except IllegalTransition:
            continue
        target, roles = SPEC[(state, action)]
        assert after is target and role in roles
        if action in (A.CLOSE, A.VERIFY_FAIL, A.REOPEN):
            assert with_note
        if action is A.SUBMIT:
            assert evidence >= 1
        state = after
        history.append(state)
    # A case reaches verifying only from rectifying, and closed only from verifying or before rectification.
    for before, after in itertools.pairwise(history):
        if after is S.VERIFYING:
            assert before is S.RECTIFYING
        if after is S.CLOSED:
            assert before in (S.VERIFYING, S.OPEN, S.ASSIGNED, S.INSPECTING)
