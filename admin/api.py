"""The admin API router: every admin sub-router is included here."""

from fastapi import APIRouter

router = APIRouter()
