"""The first setup of a country's partners from one CSV file (`jolserik partners import`).

One row per organisation or opening (`record` = organisation | opportunity); lists are
separated by ";"; an opening names its organisation by name (earlier in the file or
already in the database). Every row is checked with the API's own rules; any bad row
means nothing is imported, and every bad row is reported with its line number. An
organisation whose name exists is updated; an opening whose organisation, kind and a
title match is updated; everything else is created.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from admin.organisations.schemas import OpportunityCreate, OrganisationCreate, OrganisationUpdate
from bot.core.settings import Settings
from bot.services import InvalidInput
from bot.services import organisations as service

ORGANISATION_COLUMNS = service.ORGANISATION_FIELDS
TEXT_COLUMNS = tuple(
    f"{name}_{lang}"
    for name in ("title", "description", "how_to_apply")
    for lang in ("ru", "kk", "en")
)
OPPORTUNITY_COLUMNS = (
    "organisation",
    "kind",
    "field",
    "region",
    *TEXT_COLUMNS,
    "capacity",
    "status",
    "closes_at",
)
COLUMNS = ("record", *ORGANISATION_COLUMNS, *OPPORTUNITY_COLUMNS)
LISTS = frozenset({"services", "regions", "languages"})
MAX_BYTES = 5_000_000


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def import_partners(
    session: Session, settings: Settings, data: bytes, *, dry_run: bool, now: datetime
) -> ImportReport:
    """Check every row and, when all are good and this is no dry run, keep them (the caller
    commits). On any error or in a dry run the session is rolled back."""
    report = ImportReport()
    rows = _rows(data, report)
    for line, row in rows:
        try:
            match (row.get("record") or "").strip().lower():
                case "organisation" | "organization":
                    _organisation(session, settings, row, line, report, now)
                case "opportunity":
                    _opportunity(session, row, line, report, now)
                case other:
                    report.errors.append(
                        f"line {line}: record: must be organisation or opportunity, not {other!r}"
                    )
        except InvalidInput as exc:
            report.errors.append(f"line {line}: {exc.field}: {exc.message}")
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in error["loc"]) or "row"
                report.errors.append(f"line {line}: {where}: {error['msg']}")
    if report.errors or dry_run:
        session.rollback()
    return report


def _rows(data: bytes, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    if len(data) > MAX_BYTES:
        report.errors.append(f"the file is over {MAX_BYTES // 1_000_000} MB; split it")
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append("the file is not UTF-8 text; save it as CSV UTF-8")
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    unknown = sorted(set(reader.fieldnames or ()) - set(COLUMNS))
    if "record" not in (reader.fieldnames or ()) or unknown:
        report.errors.append(
            "line 1: the header must name the columns "
            f"{', '.join(COLUMNS)}" + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
        return []
    try:
        # Line numbers as a spreadsheet shows them: the header is line 1.
        return [(reader.line_num, dict(row)) for row in reader]
    except csv.Error as exc:
        report.errors.append(f"line {reader.line_num}: not readable as CSV ({exc})")
        return []


def _given(row: dict[str, str], columns: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in columns:
        raw = (row.get(name) or "").strip()
        if not raw:
            continue
        if name in LISTS:
            values[name] = [part.strip() for part in raw.split(";") if part.strip()]
        elif name == "is_active":
            values[name] = raw.lower() in ("1", "true", "yes", "да", "иә")
        elif name == "capacity" and raw.isdecimal():
            values[name] = int(raw)
        else:
            values[name] = raw
    return values


def _organisation(
    session: Session,
    settings: Settings,
    row: dict[str, str],
    line: int,
    report: ImportReport,
    now: datetime,
) -> None:
    values = _given(row, ORGANISATION_COLUMNS)
    existing = service.find_by_name(session, values.get("name", ""))
    if existing is None:
        checked = OrganisationCreate.model_validate(values)
        organisation, _secret = service.create_organisation(
            session, settings, checked.model_dump(), actor=None, now=now
        )
        report.created += 1
        report.done.append(f"line {line}: organisation {organisation.name!r}: created")
    else:
        changes = OrganisationUpdate.model_validate(values).model_dump(exclude_unset=True)
        service.update_organisation(session, settings, existing, changes, actor=None, now=now)
        report.updated += 1
        report.done.append(f"line {line}: organisation {existing.name!r}: updated")
    session.flush()


def _opportunity(
    session: Session, row: dict[str, str], line: int, report: ImportReport, now: datetime
) -> None:
    values = _given(row, OPPORTUNITY_COLUMNS)
    name = values.pop("organisation", "")
    organisation = service.find_by_name(session, name)
    if organisation is None:
        raise InvalidInput(
            "organisation", f"no organisation named {name!r} above in the file or in the database"
        )
    for part in ("title", "description", "how_to_apply"):
        texts = {
            lang: values.pop(f"{part}_{lang}")
            for lang in ("ru", "kk", "en")
            if f"{part}_{lang}" in values
        }
        if texts:
            values[part] = texts
    assert organisation.id is not None
    checked = OpportunityCreate.model_validate({**values, "organisation_id": organisation.id})
    fields = checked.model_dump()
    existing = service.find_opportunity(
        session, organisation.id, str(checked.kind), fields["title"]
    )
    if existing is None:
        service.create_opportunity(session, fields, actor=None, now=now)
        report.created += 1
        report.done.append(
            f"line {line}: opening {_title(fields)!r} at {organisation.name!r}: created"
        )
    else:
        changes = {k: v for k, v in fields.items() if k != "organisation_id"}
        service.update_opportunity(session, existing, changes, actor=None, now=now)
        report.updated += 1
        report.done.append(
            f"line {line}: opening {_title(fields)!r} at {organisation.name!r}: updated"
        )
    session.flush()


def _title(fields: dict[str, Any]) -> str:
    return next(iter(fields["title"].values()), "")
