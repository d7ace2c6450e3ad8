"""A reconciliation as finance reads it: rich tables in a terminal, an HTML page (a table per
store and day, differences highlighted) and CSV (one row per store, day and figure)."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from html import escape
from typing import Literal

from rich.console import RenderableType
from rich.table import Table

from domain.money import round_money
from domain.receipts import describe_ranges
from domain.reconciliation import TICKETS, ReconciliationReport, StoreDay

CSV_HEADER = ["store", "business_date", "figure", "pos", "erp", "difference", "status", "behind"]


class _Row:
    def __init__(self, day: StoreDay, metric: str) -> None:
        pos = day.pos.metrics()
        erp = day.erp.metrics()
        difference = next((item for item in day.differences if item.metric == metric), None)
        self.metric = metric
        self.pos = _amount(pos.get(metric, Decimal(0)), metric, day.currency)
        self.erp = _amount(erp.get(metric, Decimal(0)), metric, day.currency)
        self.difference = _amount(difference.difference, metric, day.currency) if difference else ""
        self.differs = difference is not None
        self.behind = difference.behind if difference else []


def _amount(value: Decimal, metric: str, currency: str | None) -> str:
    if metric == TICKETS:
        return str(int(value))
    return str(round_money(value, currency or "GBP"))


def _rows(day: StoreDay) -> Iterator[_Row]:
    for metric in day.figure_names():
        yield _Row(day, metric)


def renderables(report: ReconciliationReport) -> list[RenderableType]:
    """The report for a terminal (rich): its summary, then a table per store and day, the
    figures that differ in bold red, and what finance should look at below each table."""
    summary = report.summary()
    shown: list[RenderableType] = [
        f"reconciliation {report.start_date} .. {report.end_date}"
        + (f" store {report.store_id}" if report.store_id else ""),
        f"{summary.store_days} store-days, {summary.store_days_needing_attention} need "
        f"attention: {summary.differences} differences, {summary.open_exceptions} open "
        f"exceptions, {summary.missing_receipts} missing receipts",
    ]
    for day in report.days:
        state = "needs attention" if day.needs_attention else "agrees"
        figures = Table(
            title=f"{day.store_id} {day.business_date}: {state}",
            title_justify="left",
            header_style="bold",
        )
        for column, justify in _TEXT_COLUMNS:
            figures.add_column(column, justify=justify, overflow="fold")
        for row in _rows(day):
            figures.add_row(
                row.metric,
                row.pos,
                row.erp,
                row.difference,
                ", ".join(row.behind),
                style="bold red" if row.differs else None,
            )
        shown.append(figures)
        shown += [f"  receipt gap: {gap.describe()}" for gap in day.receipt_gaps]
        shown += [
            f"  open {note.kind} ({note.owner}): {note.transaction_id or ''} {note.message}"
            for note in day.open_exceptions
        ]
        shown += [
            f"  re-dated: {ticket.transaction_id} posted on {ticket.posting_date}"
            for ticket in day.redated
        ]
    return shown


_TEXT_COLUMNS: list[tuple[str, Literal["left", "right"]]] = [
    ("figure", "left"),
    ("POS", "right"),
    ("ERP", "right"),
    ("difference", "right"),
    ("behind", "left"),
]


def render_csv(report: ReconciliationReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for day in report.days:
        for row in _rows(day):
            writer.writerow(
                [
                    day.store_id,
                    day.business_date.isoformat(),
                    row.metric,
                    row.pos,
                    row.erp,
                    row.difference,
                    "differs" if row.differs else "ok",
                    " ".join(row.behind),
                ]
            )
        for gap in day.receipt_gaps:
            writer.writerow(
                [
                    day.store_id,
                    day.business_date.isoformat(),
                    f"missing receipts {gap.terminal_id}",
                    "",
                    "",
                    "",
                    "differs",
                    " ".join(str(span) for span in [*gap.missing, *gap.jumps]),
                ]
            )
    return buffer.getvalue()


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; min-width: 40rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: right; }
th:first-child, td:first-child, td.behind { text-align: left; }
tr.differs td { background: #fde2e1; font-weight: 600; }
.agrees { color: #1b7f3b; } .attention { color: #b3261e; }
ul { margin-top: 0.2rem; }
"""


def render_html(report: ReconciliationReport) -> str:
    summary = report.summary()
    scope = f"store {report.store_id}, " if report.store_id else ""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Reconciliation {report.start_date} to {report.end_date}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>POS against ERP: {escape(scope)}{report.start_date} to {report.end_date}</h1>",
        f"<p>{summary.store_days} store-days; {summary.store_days_needing_attention} need "
        f"attention: {summary.differences} differences, {summary.open_exceptions} open "
        f"exceptions, {summary.missing_receipts} missing receipt numbers. "
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC.</p>",
    ]
    for day in report.days:
        parts.append(_day_html(day))
    parts.append("</body></html>")
    return "\n".join(parts)


def _day_html(day: StoreDay) -> str:
    state = (
        "<span class='attention'>needs attention</span>"
        if day.needs_attention
        else "<span class='agrees'>agrees</span>"
    )
    rows = []
    for row in _rows(day):
        rows.append(
            f"<tr class='{'differs' if row.differs else 'ok'}'><td>{escape(row.metric)}</td>"
            f"<td>{escape(row.pos)}</td><td>{escape(row.erp)}</td><td>{escape(row.difference)}</td>"
            f"<td class='behind'>{escape(', '.join(row.behind))}</td></tr>"
        )
    notes = [
        f"<li>Terminal {escape(gap.terminal_id)}: receipts "
        f"{escape(describe_ranges(gap.missing))} never arrived</li>"
        if gap.missing
        else f"<li>Terminal {escape(gap.terminal_id)}: {escape(gap.describe())}</li>"
        for gap in day.receipt_gaps
    ]
    notes += [
        f"<li>Open {escape(note.kind)} (owner {escape(note.owner)}) "
        f"{escape(note.transaction_id or '')}: {escape(note.message)}</li>"
        for note in day.open_exceptions
    ]
    notes += [
        f"<li>{escape(ticket.transaction_id)} re-dated: posted on {ticket.posting_date}</li>"
        for ticket in day.redated
    ]
    return "\n".join(
        [
            f"<h2>Store {escape(day.store_id)}, {day.business_date} — {state}</h2>",
            "<table><thead><tr><th>figure</th><th>POS</th><th>ERP</th><th>difference</th>"
            "<th>transactions behind it</th></tr></thead><tbody>",
            *rows,
            "</tbody></table>",
            f"<ul>{''.join(notes)}</ul>" if notes else "",
        ]
    )
