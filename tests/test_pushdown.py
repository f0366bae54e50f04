"""warehouse/pushdown.py: key lists as SQL constants, and the join setting the merge raises."""

from __future__ import annotations

from pathlib import Path

from tradeline.warehouse import pushdown
from tradeline.warehouse.db import connect, transaction


def test_in_list_quotes_keys_and_joins_past_the_cap(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    con.execute("CREATE TEMP TABLE k AS SELECT * FROM (VALUES ('o''x'), ('a'), ('b')) AS t(v)")
    found = con.execute("SELECT v FROM k WHERE " + pushdown.in_list("v", ["o'x", "b", "zz"]))
    assert sorted(r[0] for r in found.fetchall()) == ["b", "o'x"]
    assert pushdown.in_list("v", []) == "false"
    count = "SELECT count(*) FROM k WHERE "
    assert con.execute(count + pushdown.in_list("v", [])).fetchone() == (0,)
    many = [str(i) for i in range(pushdown.JOIN_KEYS_PUSHED + 1)] + ["a"]
    assert pushdown.in_list("v", many).startswith("v IN (SELECT unnest([")
    assert con.execute(count + pushdown.in_list("v", many)).fetchone() == (1,)
    con.close()


def test_push_small_joins_lasts_for_the_transaction_only(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    setting = "SELECT current_setting('dynamic_or_filter_threshold')"
    default = con.execute(setting).fetchone()[0]
    assert default != pushdown.JOIN_KEYS_PUSHED
    with transaction(con):
        pushdown.push_small_joins(con)
        assert con.execute(setting).fetchone()[0] == pushdown.JOIN_KEYS_PUSHED
    assert con.execute(setting).fetchone()[0] == default
    con.close()


def test_two_pushes_in_one_transaction_restore_the_first_value(tmp_path: Path) -> None:
    """Two incremental merges in one outer transaction: the restores run last call first, so
    the setting ends as it was before the first call, not at the first call's value."""
    con = connect(tmp_path / "w.duckdb")
    setting = "SELECT current_setting('dynamic_or_filter_threshold')"
    before = con.execute(setting).fetchone()[0]
    with transaction(con):
        pushdown.push_small_joins(con)
        pushdown.push_small_joins(con)
        assert con.execute(setting).fetchone()[0] == pushdown.JOIN_KEYS_PUSHED
    assert con.execute(setting).fetchone()[0] == before != pushdown.JOIN_KEYS_PUSHED
    con.close()
