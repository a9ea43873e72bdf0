"""Official documents of a round, to print or archive: the score sheet (评分汇总表) and
the publicity notice (公示), each as printable HTML (A4) or .xlsx."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from api.rest.base import Blueprint, hub
from api.rest.errors import lang
from api.rest.resources.rounds import not_while_judging
from api.rest.security import principal, require, round_view
from domain import access
from domain.errors import InvalidValue

blp = Blueprint("documents", __name__, url_prefix="/api/rounds", description="Score sheets and publicity notices")
TYPES = {"html": "text/html; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@blp.route("/<code>/documents/<name>")
class DocumentResource(MethodView):
    @blp.response(200, description="`score-sheet.html`, `score-sheet.xlsx`, `notice.html` or `notice.xlsx`")
    def get(self, code: str, name: str) -> Any:
        """A round's score sheet or publicity notice, as printable HTML or .xlsx"""
        from api.documents import KINDS, gather, html_document, xlsx_document

        kind, _, fmt = name.rpartition(".")
        if kind not in KINDS or fmt not in TYPES:
            raise InvalidValue("name", name, "one of score-sheet.html, score-sheet.xlsx, notice.html, notice.xlsx",
                               "应为 score-sheet.html、score-sheet.xlsx、notice.html 或 notice.xlsx 之一")
        p, view = principal(), round_view(code)
        not_while_judging(p, view)
        if kind == "notice":
            require(view.status in access.PUBLIC_RESULTS or access.manages_round(p, view), p,
                    f"see the notice of round {view.code} before it is published", f"在公示前查看轮次 {view.code} 的公示")
        else:
            require(access.sees_all_marks(p, view), p, f"see every judge's marks of round {view.code}",
                    f"查看轮次 {view.code} 全部评委的评分")
        data = gather(hub().read(), view.code, kind)
        language = lang()
        body = html_document(data, language) if fmt == "html" else xlsx_document(data, language)
        response = Response(body, content_type=TYPES[fmt])
        response.headers["X-Content-Type-Options"] = "nosniff"
        if fmt == "html":  # a printable page: its own styles, no script of any kind, nothing from elsewhere
            response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                                           "img-src data:; frame-ancestors 'none'; base-uri 'none'")
        if fmt == "xlsx":
            response.headers["Content-Disposition"] = f'attachment; filename="{view.code}-{kind}.xlsx"'
        return response
