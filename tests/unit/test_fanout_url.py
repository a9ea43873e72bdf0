"""LEITAI_FANOUT_URL (projections/fanout.py): what the publisher accepts, and a wrong value
named with what to do, while projecting goes on."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from projections import fanout


def test_host_port_and_path_mean_http() -> None:
    engine = fanout.Engine("127.0.0.1:8090/pub/")
    assert (engine.host, engine.port, engine.prefix) == ("127.0.0.1", 8090, "/pub")
    engine = fanout.Engine("http://nginx.internal/pub")
    assert (engine.host, engine.port, engine.prefix) == ("nginx.internal", 80, "/pub")


@pytest.mark.parametrize("url", ["https://nginx.internal/pub", "redis://127.0.0.1:6379", "http:///pub"])
def test_a_url_the_publisher_cannot_use_is_refused_by_name(url: str) -> None:
    with pytest.raises(ValueError, match="LEITAI_FANOUT_URL"):
        fanout.Engine(url)


def test_a_wrong_url_leaves_the_projector_running_and_says_what_to_do(monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LEITAI_FANOUT_URL", "https://nginx.internal/pub")
    assert fanout.start(SimpleNamespace(store=None), threading.Event()) is None
    said = capsys.readouterr().err
    assert "LEITAI_FANOUT_URL" in said and "restart" in said and "重启" in said


def test_unset_publishes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEITAI_FANOUT_URL", raising=False)
    assert fanout.start(object(), threading.Event()) is None
