"""URL helpers: one canonical form per article for dedup, and safe forms for messages.

`canonical_url` is what the archive and warehouse key on, so it must be stable and cheap;
`redact_url` is what every log line and exception text uses, so secrets never leak there.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import SplitResult, unquote, unquote_plus, urlsplit, urlunsplit
from urllib.request import url2pathname

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only say where a click came from; they never select content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "vero_conv",
        "wickedid",
        "__s",
        "ncid",
        "cmpid",
        "s_cid",
        "ref_src",
        "at_medium",
        "at_campaign",
        "smid",
        "cmp",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

# A query parameter whose name looks like one of these holds a credential.
_SECRET_NAME = re.compile(
    r"token|key|secret|passw|pwd|sig|auth|credential|session|sid$|code$", re.IGNORECASE
)
MASK = "***"


def is_local_url(url: str) -> bool:
    """True for a file: URL or a plain filesystem path (no scheme), e.g. from a config file."""
    text = url.strip()
    if not text:
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme == "file":
        return True
    if len(scheme) == 1 and text[1:3] in (":\\", ":/"):  # a Windows drive letter, C:\...
        return True
    return not scheme and not parts.netloc


def local_path(url: str) -> Path:
    """The filesystem path a local URL names (absolute, user-expanded, not required to exist)."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"file URL names a remote host: {parts.netloc}")
        path = Path(url2pathname(parts.path))
    else:
        path = Path(text)
    with contextlib.suppress(RuntimeError):  # "~nosuchuser/…": keep the name literally
        path = path.expanduser()
    return path.resolve()


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _host_port(parts: SplitResult) -> str:
    """Lowercase host, IPv6 in brackets, port kept only when it is not the scheme's default."""
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: keep the text as it was rather than guess
        return parts.netloc.rsplit("@", 1)[-1].lower()
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{port}"
    return host


def _canonical_query(query: str) -> str:
    """Drop tracking parameters and sort the rest; values keep their original encoding."""
    pairs = [p for p in re.split(r"[&;]", query) if p]
    kept = [p for p in pairs if not is_tracking_param(unquote_plus(p.split("=", 1)[0]))]
    return "&".join(sorted(kept))


def canonical_url(url: str) -> str:
    """Normalise for dedup.

    Lowercase scheme and host, drop the default port, the fragment and tracking query
    parameters (utm_*, fbclid, gclid, mc_cid, ...), sort the remaining parameters and turn an
    empty path into '/'. Local paths and file: URLs become absolute file:///abs/path URIs.
    Userinfo is kept (it is part of what was asked for); other schemes come back stripped.
    """
    text = url.strip()
    if is_local_url(text):
        try:
            return local_path(text).as_uri()
        except ValueError:
            return text
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return text
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    netloc = userinfo + _host_port(parts)
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def _redact_pairs(text: str) -> str:
    out = []
    for pair in text.split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and _SECRET_NAME.search(unquote(name)):
            out.append(f"{name}={MASK}")
        else:
            out.append(pair)
    return "&".join(out)


def redact_url(url: str) -> str:
    """The URL with credentials masked, for logs and exception text.

    Masks userinfo (user:password@) and the values of query (and fragment) parameters whose
    name looks like token, key, secret, password, sig(nature), auth or session.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"(?i)((?:token|key|secret|passw\w*|sig\w*|auth\w*)=)[^&#\s]*", r"\1***", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            parts.path,
            _redact_pairs(parts.query),
            _redact_pairs(parts.fragment),
        )
    )
