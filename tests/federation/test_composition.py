"""The committed jcgraph SDL composes with the HR subgraph under @apollo/composition."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.federation.apollo import REPO_ROOT, compose

pytestmark = pytest.mark.node


def test_committed_schema_composes_with_hr(tmp_path: Path) -> None:
    composition = compose(
        str(REPO_ROOT / "schema" / "schema.graphql"), tmp_path / "supergraph.graphql"
    )
    supergraph = composition.check()
    assert [h["code"] for h in composition.hints] == ["OVERRIDDEN_FIELD_CAN_BE_REMOVED"]
    assert 'department: String @join__field(graph: HR, override: "jcgraph"' in supergraph
    assert '@join__type(graph: JCGRAPH, key: "email")' in supergraph
