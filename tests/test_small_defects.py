"""The smaller defects of issue 17, each on real input: a navigation-only page is a page error,
a .warc.gz cut short reports its truncation, file:/// links of a local feed stay local paths,
and a full disk is one `error:` line (a real tmpfs, in a user namespace)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.reliability_support import article_html
from tradeline.config import Settings
from tradeline.extractors.navigation import is_navigation_only
from tradeline.flows import steps
from tradeline.records import Document
from tradeline.sources.archives.issues import RecordIssue
from tradeline.sources.archives.warc import read_warc
from tradeline.sources.feeds import parse_feed

REPO = Path(__file__).resolve().parent.parent

# -- a navigation-only page is not an article ------------------------------------------------

NAV_PAGES = {
    "home": '<html><head><title>Example News</title></head><body><nav><a href="/">Home</a>'
    "</nav></body></html>",
    "menu": '<html><head><title>News</title></head><body><nav><ul><li><a href="/">Home</a></li>'
    '<li><a href="/w">World</a></li><li><a href="/b">Business</a></li></ul></nav></body></html>',
    "bar": '<html><body><div><a href="/">Home</a> | <a href="/a">About us</a> | '
    '<a href="/c">Contact</a></div></body></html>',
}


def _doc(name: str, html: str) -> Document:
    url = f"https://news.example/{name}"
    return Document(url=url, final_url=url, canonical_url=url, body=html.encode())


def test_a_navigation_only_page_is_a_page_error_not_an_article() -> None:
    docs = [_doc(name, html) for name, html in NAV_PAGES.items()]
    docs.append(_doc("story", article_html(1)))
    parsed, errors = steps.parse_documents(docs)
    assert [article.url for _, article in parsed] == ["https://news.example/story"]
    assert [e.url.rsplit("/", 1)[-1] for e in errors] == list(NAV_PAGES)
    assert all(e.stage == "parse" and e.reason.startswith("no_article:") for e in errors)
    assert "navigation only: 'Home'" in errors[0].reason


def test_what_reads_as_prose() -> None:
    for text in ("Home", "Home\nWorld\nBusiness", "Home | About us | Contact", "Contact us."):
        assert is_navigation_only(text), text
    for text in (
        "China banned gallium exports.",
        "中国商务部宣布对镓实施出口管制。",
        "the ministry said on Tuesday that licences would go to three firms before the end",
        "\n".join(f"- listing {i}" for i in range(60)),  # long: not this check's to judge
    ):
        assert not is_navigation_only(text), text


# -- a .warc.gz cut short --------------------------------------------------------------------


def _warc_gz(n: int) -> tuple[bytes, set[int]]:
    """A WARC of `n` pages of unequal sizes, one gzip member each; and the members' ends."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    ends = set()
    for i in range(n):
        body = article_html(i).encode() + b"<!-- " + b"x" * (97 * i) + b" -->"
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                f"https://news.example/{i}", "response", payload=io.BytesIO(body), http_headers=http
            )
        )
        ends.add(buffer.tell())
    return buffer.getvalue(), ends


def test_a_warc_gz_cut_at_60_percent_reports_its_truncation(tmp_path: Path) -> None:
    data, ends = _warc_gz(10)
    whole, cut = tmp_path / "whole.warc.gz", tmp_path / "cut.warc.gz"
    whole.write_bytes(data)
    cut.write_bytes(data[: int(len(data) * 0.6)])
    assert int(len(data) * 0.6) not in ends  # cut inside a record
    assert [type(item) for item in read_warc(whole)] == [Document] * 10
    items = list(read_warc(cut))
    docs = [i for i in items if isinstance(i, Document)]
    failed = [i for i in items if isinstance(i, RecordIssue) and i.outcome == "failed"]
    assert 0 < len(docs) < 10  # the records before the cut are kept
    assert len(failed) == 1 and items[-1] is failed[0]
    assert failed[0].reason.startswith(("truncated", "unreadable")), failed[0].reason
    assert failed[0].offset is not None and 0 < failed[0].offset < cut.stat().st_size


def test_every_cut_of_a_warc_gz_is_whole_records_or_a_reported_failure(tmp_path: Path) -> None:
    """No record is lost silently, wherever the file is cut: each record that starts before
    the cut is either read whole or reported (a cut between two gzip members leaves a valid,
    shorter file; one inside a member's 8-byte gzip trailer leaves its record whole)."""
    data, ends = _warc_gz(4)
    starts = [0, *sorted(ends)[:-1]]
    for end in range(1, len(data), 37):
        items = list(read_warc(_write(tmp_path / "c.warc.gz", data[:end])))
        kept = sum(isinstance(i, Document) for i in items)
        failed = [i for i in items if isinstance(i, RecordIssue)]
        assert len(failed) <= 1 and kept + len(failed) == sum(s < end for s in starts), (end, items)
        if end in ends:
            assert not failed, end


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.slow
def test_importing_a_cut_warc_counts_the_failure(tmp_path: Path) -> None:
    from tradeline.flows.archive_import import import_paths

    data, _ = _warc_gz(10)
    cut = _write(tmp_path / "cut.warc.gz", data[: int(len(data) * 0.6)])
    summary = import_paths(Settings(), tmp_path / "wh.duckdb", [cut])
    assert summary.failed == 1 and summary.imported >= 1, summary.line()
    assert "failed: 1" in summary.line()
    assert summary.errors[-1].stage == "import" and "offset" in summary.errors[-1].reason


# -- file:/// links of a local feed ----------------------------------------------------------


def test_file_links_of_a_local_feed_stay_local_paths(tmp_path: Path) -> None:
    page = tmp_path / "pages" / "story.html"
    page.parent.mkdir()
    page.write_text(article_html(3), encoding="utf-8")
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>mine</title>'
        f"<item><title>s</title><link>{page.as_uri()}</link></item>"
        "<item><title>h</title><link>file://localhost/srv/x.html</link></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    result = parse_feed(feed.read_bytes(), feed.as_uri())
    assert [e.url for e in result.entries] == [page.as_uri(), "file://localhost/srv/x.html"]
    docs, errors = steps.fetch_documents(Settings(), result.entries[:1])
    assert [d.final_url for d in docs] == [page.as_uri()] and errors == []
    # from a web feed, the link is left as feedparser gives it (and refused as local anyway)
    web = parse_feed(feed.read_bytes(), "https://feeds.example/rss")
    assert web.entries[0].url == "file://" + page.as_uri().removeprefix("file:///")


# -- a full disk -----------------------------------------------------------------------------


def _in_small_tmpfs(size: str, folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """`command` with a `size` tmpfs mounted on `folder`, in a user and mount namespace (no
    privileges needed where unprivileged user namespaces are allowed); skips elsewhere."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux)")
    folder.mkdir(exist_ok=True)
    script = 'mount -t tmpfs -o size="$1" tmpfs "$2" || exit 97; shift 2; exec "$@"'
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADELINE_")}
    result = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            script,
            "sh",
            size,
            str(folder),
            *command,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=folder.parent,
    )
    if result.returncode == 97 or "unshare:" in result.stderr:
        pytest.skip(f"cannot mount a tmpfs in a user namespace here: {result.stderr.strip()}")
    return result


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "tradeline.flows.cli", *args]


_PROGRESS = re.compile(r"^(feeds|fetch|extract|store)\s")  # the progress bars' lines


def _errors(stderr: str) -> list[str]:
    """What stderr says besides the progress bars."""
    return [line for line in stderr.splitlines() if line.strip() and not _PROGRESS.match(line)]


def test_a_full_disk_when_creating_the_warehouse_is_one_line(tmp_path: Path) -> None:
    small = tmp_path / "small"
    result = _in_small_tmpfs(
        "16k", small, *_cli("rebuild-timeline", "--warehouse", str(small / "wh.duckdb"))
    )
    assert result.returncode == 2, result.stderr
    errors = _errors(result.stderr)
    assert len(errors) == 1 and errors[0].startswith("error: no space left on the disk"), errors
    assert errors[0].endswith(": free some space and run again")
    assert "Traceback" not in result.stderr and "cannot open warehouse" not in result.stderr


@pytest.mark.slow
def test_a_full_disk_during_a_run_is_one_line_without_prefect_tracebacks(tmp_path: Path) -> None:
    shutil.copytree(REPO / "samples", tmp_path / "samples")
    small = tmp_path / "small"
    result = _in_small_tmpfs(
        "2m",
        small,
        *_cli(
            "run",
            "--feed",
            str(tmp_path / "samples" / "feed.xml"),
            "--warehouse",
            str(small / "wh.duckdb"),
            "--no-timeline",
        ),
    )
    assert result.returncode == 2, result.stderr
    errors = _errors(result.stderr)
    assert len(errors) == 1 and errors[0].startswith("error: no space left on the disk"), errors
    assert "Traceback" not in result.stderr and "Finished in state Failed" not in result.stderr
