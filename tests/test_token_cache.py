"""Verified access tokens are cached by their exact text and key: a changed signature, a token
signed with another key or an expired token is never answered from the cache."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from api import security as sec
from api.security import ApiSettings, create_access_token, decode_access_token


def _settings(tmp_path: Path, key: str) -> ApiSettings:
    return ApiSettings(home=tmp_path, env="development", secret_key=key * 48)


def test_a_verified_token_is_reused_but_never_for_another_key_or_a_tampered_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _settings(tmp_path, "a"), _settings(tmp_path, "b")
    tok = create_access_token(a, "ines", "investigator")
    calls: list[str] = []
    orig = jwt.decode

    def counting(*args: Any, **kw: Any) -> Any:
        calls.append("decode")
        return orig(*args, **kw)

    monkeypatch.setattr(jwt, "decode", counting)
    first = decode_access_token(a, tok)
    again = decode_access_token(a, tok)
    assert first is not None and first["sub"] == "ines" and again == first
    assert calls == ["decode"]  # verified once, then answered from the cache
    assert decode_access_token(b, tok) is None  # another key: verified again, and refused
    head, body, sig = tok.split(".")
    forged = f"{head}.{body}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"
    assert decode_access_token(a, forged) is None
    assert calls == ["decode"] * 3


def test_an_expired_token_is_refused_even_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _settings(tmp_path, "c")
    tok = create_access_token(a, "ines", "investigator", minutes=1)
    assert decode_access_token(a, tok) is not None
    later = time.time() + 120
    monkeypatch.setattr(sec.time, "time", lambda: later)
    assert decode_access_token(a, tok) is None
