"""Operations endpoints: liveness, readiness, metrics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from authgate.http.context import HttpDep
from authgate.http.metrics import render

router = APIRouter(tags=["operations"])


class Status(BaseModel):
    status: Literal["ok", "unavailable"]


@router.get("/healthz", summary="The process is alive")
async def healthz() -> Status:
    return Status(status="ok")


@router.get(
    "/readyz",
    summary="The database answers",
    response_model=Status,
    responses={503: {"model": Status, "description": "The database is unreachable"}},
)
async def readyz(http: HttpDep) -> JSONResponse:
    if await http.check_ready():
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable"}, status_code=503)


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format)",
    response_class=PlainTextResponse,
)
async def metrics() -> PlainTextResponse:
    return PlainTextResponse(render(), media_type="text/plain; version=0.0.4; charset=utf-8")
