"""The pilot's figures for schedulers and managers: the dashboard, its CSV and Excel exports, and
the page where staff enter the fixed service points' daily visitor counts.

Every figure comes from `visits.reports.pilot_figures`, laid out once by `PilotFigures.tables`:
the page draws each table as a bar chart (SVG built here, coloured by classes in reports.css, so
the strict CSP holds) with the table beside it, and the exports write the same tables.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from servicepoints.models import ServicePoint, ServicePointDailyCount
from servicepoints.services import daily_count_save
from visits.reports import Cell, FigureTable, PilotFigures, last_full_weeks, pilot_figures
from visits.staff.report_forms import DailyCountForm, ReportForm
from visits.staff.views import staff_required

REPORT_PERMISSION = "servicepoints.view_reports"
COUNT_PERMISSIONS = ("servicepoints.add_servicepointdailycount", "servicepoints.change_servicepointdailycount")
# The counts page lists this many days back, today included.
COUNT_DAYS = 14
# A spreadsheet runs a cell that starts with one of these as a formula; venue names come from
# the admin, so every text cell that does is written with a leading apostrophe (OWASP's advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a sheet's name may not contain, and its longest length (Excel's limits).
SHEET_NAME_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")
SHEET_NAME_LENGTH = 31

# The chart's geometry, in SVG user units: labels on the left, bars from BAR_X.
ROW_HEIGHT = 28
BAR_HEIGHT = 18
BAR_X = 230
BAR_MAX_WIDTH = 330
CHART_WIDTH = 640
LABEL_LENGTH = 30


@dataclass(frozen=True)
class ChartBar:
    label: str
    value: Cell
    y: int
    width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 4

    @property
    def value_x(self) -> float:
        return BAR_X + self.width + 6


@dataclass(frozen=True)
class Chart:
    """A table drawn as horizontal bars, one per row, the longest the row with the largest value."""

    table: FigureTable
    bars: list[ChartBar]
    height: int
    width: int = CHART_WIDTH
    bar_x: int = BAR_X
    bar_height: int = BAR_HEIGHT


def chart(table: FigureTable) -> Chart | None:
    if table.chart_column is None or not table.rows:
        return None
    values = [row[table.chart_column] or 0 for row in table.rows]
    largest = max(values) or 1
    bars = []
    for n, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        label = str(row[0])
        if len(label) > LABEL_LENGTH:
            label = label[: LABEL_LENGTH - 1] + "…"
        bars.append(
            ChartBar(label=label, value=value, y=n * ROW_HEIGHT + 5, width=round(value / largest * BAR_MAX_WIDTH, 1))
        )
    return Chart(table=table, bars=bars, height=len(bars) * ROW_HEIGHT + 10)


def _report_form(request: HttpRequest) -> ReportForm:
    """The form as asked, or, on a first visit, for the last four full weeks and every area."""
    if any(name in request.GET for name in ReportForm.base_fields):
        return ReportForm(request.GET)
    start, end = last_full_weeks(today=timezone.localdate())
    return ReportForm({"start": start.isoformat(), "end": end.isoformat(), "area": ""})


def _figures(form: ReportForm) -> PilotFigures:
    return pilot_figures(start=form.cleaned_data["start"], end=form.cleaned_data["end"], area=form.cleaned_data["area"])


def _dashboard(request: HttpRequest, form: ReportForm, *, status: int = 200) -> HttpResponse:
    figures = _figures(form) if form.is_valid() else None
    sections = [(table, chart(table)) for table in figures.tables()] if figures else []
    return render(
        request,
        "visits/staff/reports.html",
        {"form": form, "figures": figures, "sections": sections, "query": request.GET.urlencode()},
        status=status,
    )


@staff_required(REPORT_PERMISSION)
def reports(request: HttpRequest) -> HttpResponse:
    """The figures of a period and area; a bad period shows why, with no figures."""
    return _dashboard(request, _report_form(request))


def cell_safe(value: Cell | None) -> Cell | None:
    """The value as a spreadsheet may read it: text that would run as a formula stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _heading(figures: PilotFigures) -> list[str]:
    return [
        _("The pilot's figures"),
        f"{figures.start.isoformat()}–{figures.end.isoformat()}",
        str(figures.area) if figures.area else _("All areas"),
    ]


def _filename(figures: PilotFigures, extension: str) -> str:
    area = figures.area.slug if figures.area else "all"
    return f"figures-{area}-{figures.start.isoformat()}-{figures.end.isoformat()}.{extension}"


@staff_required(REPORT_PERMISSION)
def reports_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables in one CSV file, a section per table, numbers as numbers."""
    form = _report_form(request)
    if not form.is_valid():
        return _dashboard(request, form, status=400)
    figures = _figures(form)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell_safe(cell) for cell in _heading(figures)])
    for table in figures.tables():
        writer.writerow([])
        writer.writerow([cell_safe(table.title)])
        writer.writerow([cell_safe(column) for column in table.columns])
        writer.writerows([cell_safe(cell) for cell in row] for row in table.rows)
    # The byte order mark makes Excel read the file as UTF-8 (ä, ö, å in names).
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, "csv")}"'
    return response


def _sheet_name(title: str, taken: set[str]) -> str:
    name = title.translate(SHEET_NAME_FORBIDDEN).strip()[:SHEET_NAME_LENGTH] or "Sheet"
    while name in taken:
        name = name[: SHEET_NAME_LENGTH - 1] + "_"
    taken.add(name)
    return name


@staff_required(REPORT_PERMISSION)
def reports_xlsx(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as an Excel workbook: the period first, then a sheet per table."""
    form = _report_form(request)
    if not form.is_valid():
        return _dashboard(request, form, status=400)
    figures = _figures(form)
    workbook = Workbook()
    summary = workbook.active
    taken: set[str] = set()
    summary.title = _sheet_name(_("Period"), taken)
    summary.append([cell_safe(cell) for cell in _heading(figures)])
    summary["A1"].font = Font(bold=True)
    for table in figures.tables():
        sheet = workbook.create_sheet(_sheet_name(table.title, taken))
        sheet.append([cell_safe(table.title)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([cell_safe(column) for column in table.columns])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([cell_safe(cell) for cell in row])
        sheet.column_dimensions["A"].width = 36
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, "xlsx")}"'
    return response


# Daily visitor counts of the fixed points ---------------------------------------------------------


@dataclass(frozen=True)
class PointCounts:
    """One point's counts over the days the page lists, newest first; None for a day not counted."""

    point: ServicePoint
    counts: list[ServicePointDailyCount | None]


def _recent_counts(*, today: datetime.date) -> tuple[list[datetime.date], list[PointCounts]]:
    days = [today - datetime.timedelta(days=n) for n in range(COUNT_DAYS)]
    points = list(ServicePoint.objects.operating_on(today).select_related("area").order_by("area__ordering", "name"))
    counts = {
        (count.service_point_id, count.day): count
        for count in ServicePointDailyCount.objects.filter(day__gte=days[-1], day__lte=today).select_related(
            "recorded_by"
        )
    }
    return days, [PointCounts(point=p, counts=[counts.get((p.pk, day)) for day in days]) for p in points]


@staff_required(*COUNT_PERMISSIONS)
def daily_counts(request: HttpRequest) -> HttpResponse:
    """Enter a point's visitors for a day; a day already counted is corrected by entering it again."""
    today = timezone.localdate()
    if request.method == "POST":
        form = DailyCountForm(request.POST)
        if form.is_valid():
            try:
                count = daily_count_save(
                    service_point=form.cleaned_data["service_point"],
                    day=form.cleaned_data["day"],
                    visitors=form.cleaned_data["visitors"],
                    user=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    # Translators: the service point, the day, and the number of visitors saved.
                    _("Saved: %(point)s, %(day)s: %(visitors)s visitors.")
                    % {"point": count.service_point, "day": count.day.isoformat(), "visitors": count.visitors},
                )
                return redirect("staff:daily_counts")
    else:
        form = DailyCountForm(initial=DailyCountForm.initial_for(today=today))
    days, rows = _recent_counts(today=today)
    return render(request, "visits/staff/reports_counts.html", {"form": form, "days": days, "rows": rows})
