"""The one company-identity rule (tradeline/identity.py): which names are one firm, for the
timeline merge and the company registry alike."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tradeline.identity import company_key, comparable, firms, same_company
from tradeline.warehouse.db import connect
from tradeline.warehouse.load import store_batch
from tradeline.warehouse.runs import finish_run, start_run


def test_spellings_and_firms() -> None:
    assert company_key("Nvidia  Corp") == company_key("nvidia corp")  # one spelling
    assert company_key("JL Mag Rare-Earth") != company_key("JL Mag Rare Earth")
    assert comparable("JL Mag Rare-Earth") == comparable("JL Mag Rare Earth") == "jl mag rare earth"
    assert same_company(comparable("JL Mag Rare-Earth"), comparable("JL Mag Rare Earths"))
    assert firms(["Ningbo Yansheng", "Samsung SDI", "Ningbo Yunsheng", "Samsung SDS", "!!"]) == [
        ["Ningbo Yansheng", "Ningbo Yunsheng"], ["Samsung SDI"], ["Samsung SDS"], ["!!"],
    ]


def _components(names: list[str]) -> list[set[str]]:
    """Connected components of same_company by checking every pair: what `firms` must match."""
    names = list(dict.fromkeys(names))
    group = {name: {name} for name in names}
    for a, b in itertools.combinations(names, 2):
        ca, cb = comparable(a), comparable(b)
        if ca and cb and same_company(ca, cb) and group[a] is not group[b]:
            merged = group[a] | group[b]
            for name in merged:
                group[name] = merged
    return sorted(({*g} for g in {id(g): g for g in group.values()}.values()), key=sorted)


_BASES = ("Ningbo Yansheng", "JL Mag Rare Earths", "Samsung SDI", "Halmera Nickel Industries",
          "Firm 12", "Rare Earth Co", "Acme")


@st.composite
def _spelling(draw: st.DrawFn) -> str:
    """A known name with up to three typos (a letter, a hyphen, a space or a digit)."""
    name = list(draw(st.sampled_from(_BASES)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(name) - 1))
        char = draw(st.sampled_from("aeus- 3"))
        edit = draw(st.sampled_from(["insert", "replace", "delete"]))
        if edit == "insert":
            name.insert(at, char)
        elif edit == "replace":
            name[at] = char
        elif len(name) > 1:
            del name[at]
    return "".join(name)


_names = st.lists(_spelling(), max_size=25)


@given(_names)
def test_firms_are_the_connected_components_in_any_order(names: list[str]) -> None:
    got = sorted((set(g) for g in firms(names)), key=sorted)
    assert got == _components(names)
    assert sorted(map(sorted, firms(list(reversed(names))))) == sorted(map(sorted, got))


def test_the_registry_groups_spellings_the_way_the_timeline_merges_them(
    tmp_path: Path, make_item,
) -> None:
    """Two articles name one firm in two spellings: `timeline` merges their reports into one
    entry, and `companies` / `company_timeline` list the firm once, under its first stored
    spelling, with both as aliases."""
    con = connect(tmp_path / "w.duckdb")
    for url, firm in (("https://a.example/1", "Ningbo Yunsheng"),
                      ("https://b.example/2", "Ningbo Yansheng")):
        run = start_run(con, kind="ingest", extractor_version="1", model_name="m",
                        model_version="1", assets_hash="h")
        store_batch(con, [make_item(url, companies=(firm,))], run)
        finish_run(con, run, status="completed")
    (entry,) = con.execute("SELECT companies, n_articles FROM timeline").fetchall()
    assert entry[1] == 2 and len(entry[0]) == 1
    firms_listed = con.execute(
        "SELECT canonical, n_events, n_event_mentions, aliases FROM companies "
        "WHERE canonical LIKE 'Ningbo%'"
    ).fetchall()
    assert firms_listed == [("Ningbo Yunsheng", 1, 2, ["Ningbo Yansheng", "Ningbo Yunsheng"])]
    assert con.execute(
        "SELECT canonical FROM company_timeline WHERE canonical LIKE 'Ningbo%'"
    ).fetchall() == [("Ningbo Yunsheng",)]
    assert con.execute("SELECT count(*) FROM company_registry").fetchone()[0] == 3  # + Nvidia
    con.close()
