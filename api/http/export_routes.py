"""HTTP: GET /exports/rfps/{rfpId}/{ranking|shortlist}.{csv|xlsx|json} and /exports/rfps/{rfpId}/ocds.json.

401 without a valid API key; 404, with one body for every case, when the id is unknown or malformed,
the caller is not the RFP's buyer, the proposals are still sealed, or the format is unknown — nobody
learns whether an RFP exists. 400 names the what-if weight that is wrong.
"""

from __future__ import annotations

from typing import Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from api.exports.access import exportable_rfp
from api.exports.export import (
    QUALITATIVE_PARAMETER,
    ExportFormat,
    ExportSpec,
    WeightsError,
    open_export,
    parse_qualitative_weights,
    parse_weights,
)
from api.exports.ocds import package_uri
from api.http.auth import authenticate
from api.observability.metrics import metered_chunks
from api.services.market import MarketService
from market.evaluation import what_if_rfp
from market.vocabulary import InputError


class HasMarket(Protocol):
    """What the routes need of the app state; `market` exists once the lifespan has started."""

    market: MarketService


def _error(status: int, code: str, message: str, field: list[str] | None = None) -> JSONResponse:
    # The GraphQL error shape, as on /graphql: the code (and the query parameter at fault) in
    # `extensions`, so one client error handler reads every route.
    extensions: dict[str, object] = {"code": code}
    if field:
        extensions["field"] = field
    error = {"message": message, "extensions": extensions}
    headers = {"WWW-Authenticate": 'Bearer realm="rfpmarket"'} if status == 401 else None
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers)


def _not_found() -> JSONResponse:
    return _error(404, "NOT_FOUND", "not found")


def export_routes(state: HasMarket, public_base_url: str | None = None) -> list[Route]:
    async def export(request: Request) -> Response:
        market = state.market
        viewer = await authenticate(market, request.headers)
        if viewer is None:
            return _error(401, "UNAUTHENTICATED", "send a valid API key as `Authorization: Bearer <key>`")
        spec = ExportSpec.parse(request.path_params["name"])
        rfp = await exportable_rfp(market, viewer, request.path_params["rfp_id"]) if spec else None
        if spec is None or rfp is None:
            return _not_found()
        try:
            weights = None if spec.format is ExportFormat.OCDS else parse_weights(request.query_params)
            qualitative = None
            if spec.format is not ExportFormat.OCDS:
                qualitative = parse_qualitative_weights(request.query_params.getlist(QUALITATIVE_PARAMETER))
            if qualitative is not None:
                # The RFP as the what-if qualitative weights weigh it, as rankedProposals does.
                rfp = what_if_rfp(rfp, weights, qualitative)
                weights = weights or rfp.context.weights
        except WeightsError as error:
            return _error(400, "BAD_USER_INPUT", error.message, error.parameters)
        except InputError as error:
            return _error(400, "BAD_USER_INPUT", error.message, [QUALITATIVE_PARAMETER])
        uri = package_uri(rfp.id, public_base_url)
        download = await open_export(market, rfp, spec, weights, uri)
        headers = {
            "Content-Disposition": f'attachment; filename="{download.filename}"',
            # A ranking with budgets and prices: never kept by a shared cache.
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        }
        chunks = metered_chunks(download, spec.format.value)  # rows and bytes for /metrics
        return StreamingResponse(chunks, media_type=download.media_type, headers=headers)

    return [Route("/exports/rfps/{rfp_id}/{name}", export, methods=["GET"])]
