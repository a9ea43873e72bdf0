"""Leitai's web pages: the big screen (大屏), judging (评委打分), audit (审计), the
organizer console (管理), published results and stars (公示与星级), and each
organization's own page.

Pages are rendered on the server (Jinja2) from the same read models and the same access
policy as the HTTP API; the little JavaScript they carry (served from this package,
nothing from the internet) keeps the big screen live over Server-Sent Events, keeps a
judge's unsent sheets safe on a flaky network, and sends the console's commands to the
API with the signed-in account's token.  Chinese by default; ``?lang=en`` switches to
English (remembered in a cookie).
"""

from api.web.pages import blp

__all__ = ["blp"]
