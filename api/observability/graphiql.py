"""GraphiQL served entirely by the app: its page, its start-up script and the graphiql, react and
react-dom builds that `./dev install` fetches from the npm registry into web/graphiql (the Dockerfile
copies them too). No CDN, so it works offline, under a Content-Security-Policy allowing only this
origin: scripts and styles from here, requests to here, fonts and images the stylesheet inlines."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from api.settings import Settings

PREFIX = "/graphiql/"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
# What the page loads, from the npm packages' UMD builds (web/graphiql/package.json pins them).
ASSETS = {
    "react.js": "react/umd/react.production.min.js",
    "react-dom.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": "graphiql/graphiql.min.js",
    "graphiql.css": "graphiql/graphiql.min.css",
}
PAGE_CSS = "body { margin: 0; } #graphiql { height: 100vh; }\n"
# A script of its own (not inline), so the policy needs no 'unsafe-inline'.
INIT_JS = """
const fetcher = GraphiQL.createFetcher({ url: new URL("/graphql", window.location.href).href });
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher: fetcher, shouldPersistHeaders: false })
);
"""
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>rfpmarket GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<link rel="stylesheet" href="/graphiql/page.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL...</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script src="/graphiql/init.js"></script>
</body>
</html>
"""
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def assets_dir(settings: Settings) -> Path:
    if settings.graphiql_assets_dir is not None:
        return settings.graphiql_assets_dir
    return Path(__file__).resolve().parents[2] / "web" / "graphiql" / "node_modules"


def page() -> Response:
    return HTMLResponse(PAGE, headers=SECURITY_HEADERS)


def graphiql_routes(settings: Settings) -> list[Route]:
    """The assets; none in production, where GraphiQL is off."""
    if settings.production:
        return []
    folder = assets_dir(settings)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"}
        if name == "init.js":
            return Response(INIT_JS, media_type="text/javascript", headers=headers)
        if name == "page.css":
            return Response(PAGE_CSS, media_type="text/css", headers=headers)
        relative = ASSETS.get(name)  # a fixed list: no path from the request reaches the file system
        if relative is None:
            return PlainTextResponse("not found", status_code=404, headers=SECURITY_HEADERS)
        path = folder / relative
        if not path.is_file():
            message = f"GraphiQL's assets are not installed in {folder}: run ./dev install"
            return PlainTextResponse(message, status_code=503, headers=SECURITY_HEADERS)
        media_type = "text/css" if name.endswith(".css") else "text/javascript"
        return FileResponse(path, media_type=media_type, headers=headers)

    return [Route(PREFIX + "{name}", asset, methods=["GET"])]
