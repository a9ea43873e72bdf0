"""The HTTP entry point: the ranking document and error mapping."""

from __future__ import annotations

import pytest

from api.app import create_app
from api.importing.scenario import import_scenario
from projections.ranking_json import ranking_document
from tests.conftest import ADMIN, EXAMPLE


@pytest.fixture
def client(app):
    import_scenario(app, EXAMPLE, ADMIN)
    app.close_round("R-GL-2025-05", ADMIN)
    return create_app({"LEITAI_APP": app, "TESTING": True}).test_client()


def test_the_ranking_endpoint_serves_the_rulebook_document(client, app):
    response = client.get("/api/rounds/R-GL-2025-05/ranking")
    assert response.status_code == 200
    assert response.get_json() == ranking_document(*app.ranking("R-GL-2025-05"))
    assert "敖包塔拉村" in response.get_data(as_text=True)  # UTF-8, not \\u escapes


def test_an_unknown_round_is_a_404_in_the_reader_s_language(client):
    zh = client.get("/api/rounds/R-NOPE/ranking")
    assert zh.status_code == 404 and zh.get_json()["message"].startswith("找不到轮次 R-NOPE")
    en = client.get("/api/rounds/R-NOPE/ranking", headers={"Accept-Language": "en"})
    assert en.get_json() == {"error": "RoundNotFound",
                             "message": "Round R-NOPE does not exist. Check the round code, or import contest.toml first."}


def test_health(client):
    assert client.get("/healthz").get_json()["ok"] is True


def test_the_board_waits_for_the_client_s_own_write(app, store_url):
    from domain.services.store import parse_url
    from projections.runner import Projector
    from tests.scenario import judge, small_contest

    small_contest(app)
    client = create_app({"LEITAI_APP": app, "TESTING": True}).test_client()
    outcome = app.execute(lambda s: s.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"},
                                                   judge("J1")))
    early = client.get(f"/api/rounds/R1/board?after={outcome.position}&timeout=0.05")
    assert early.status_code == 503 and "leitai projections run" in early.get_json()["message"]
    projector = Projector(parse_url(store_url))
    projector.load()
    projector.catch_up()
    projector.close()
    board = client.get(f"/api/rounds/R1/board?after={outcome.position}").get_json()
    assert board["sheets_in"] == 1 and board["provisional"] is True
    assert client.get("/api/rounds/R1/board?after=x").status_code == 422
