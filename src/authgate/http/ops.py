"""Operations endpoints: liveness, readiness, metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from authgate.http.context import HttpDep
from authgate.http.metrics import render

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database answers",
    responses={503: {"description": "The database is unreachable"}},
)
async def readyz(http: HttpDep) -> JSONResponse:
    if await http.check_ready():
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable"}, status_code=503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics() -> Response:
    return Response(render(), media_type="text/plain; version=0.0.4; charset=utf-8")
