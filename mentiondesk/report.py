"""The weekly report for marketing: one brand's ISO week against the week before (volume, sentiment, complaint
themes, share of voice, response times, repeat customers) as a self-contained HTML file with its charts as
inline SVG pictures, or a PDF printed from that HTML by headless Chromium when it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import Engine
from sqlmodel import Session

from mentiondesk.core.brands import BrandConfig
from mentiondesk.core.errors import ConfigError, InputError
from mentiondesk.settings import Settings
from mentiondesk.web import charts, filters, trends
from storage.models import utcnow

TEMPLATES = Path(__file__).parent / "web" / "templates"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        match = re.fullmatch(r"(\d{4})-W(\d{1,2})", text.strip())
        if not match:
            raise InputError(f"week {text!r}: write it as YYYY-Www, e.g. 2026-W47")
        year, number = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise InputError(f"week {text!r}: {year} has no week {number}") from None
        return cls(year, number)

    @classmethod
    def last_complete(cls, today: date) -> Week:
        year, number, _ = (today - timedelta(days=7)).isocalendar()
        return cls(year, number)

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    def before(self) -> Week:
        year, number, _ = (self.start - timedelta(days=7)).isocalendar()
        return Week(year, number)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


@dataclass
class Change:
    """A figure this week and the week before."""

    label: str
    now: float | None
    before: float | None
    kind: str = "count"  # count | minutes | share
    better_when: str = "up"  # up | down | neither

    @property
    def delta(self) -> str:
        if self.now is None or self.before is None:
            return "–"
        if self.kind == "share":
            points = (self.now - self.before) * 100
            return f"{points:+.0f} pts"
        if not self.before:
            return "new" if self.now else "±0"
        return f"{(self.now - self.before) / self.before:+.0%}"

    @property
    def tone(self) -> str:
        if self.now is None or self.before is None or self.now == self.before or self.better_when == "neither":
            return ""
        return "good" if (self.now > self.before) == (self.better_when == "up") else "bad"


def _negative_share(r: trends.TrendReport) -> float | None:
    return r.sentiment.total("negative") / r.total if r.total else None


def changes(this: trends.TrendReport, last: trends.TrendReport) -> list[Change]:
    return [
        Change("Mentions", this.total, last.total, better_when="neither"),
        Change(
            "Complaints", this.by_category.total("complaint"), last.by_category.total("complaint"), better_when="down"
        ),
        Change("Negative share", _negative_share(this), _negative_share(last), "share", "down"),
        Change("Praise", this.by_category.total("praise"), last.by_category.total("praise")),
        *_response_changes(this.response, last.response),
        Change("Repeat customers", this.repeat_authors, last.repeat_authors, better_when="down"),
    ]


def _response_changes(this: trends.ResponseStats, last: trends.ResponseStats) -> list[Change]:
    """With business hours, the median and the breaches in working minutes (the target counts in those), and
    the wall-clock median beside them, each labelled; without, the wall clock alone."""
    if not this.hours:
        return [
            Change("Median first human reply", this.human_median, last.human_median, "minutes", "down"),
            Change("Replies over the target", this.human_breaches, last.human_breaches, better_when="down"),
        ]
    return [
        Change(
            "Median first human reply (business hours)",
            this.business_human_median,
            last.business_human_median,
            "minutes",
            "down",
        ),
        Change("Median first human reply (wall clock)", this.human_median, last.human_median, "minutes", "down"),
        Change(
            "Replies over the target (business hours)",
            this.business_human_breaches,
            last.business_human_breaches,
            better_when="down",
        ),
    ]


def figures(this: trends.TrendReport, last: trends.TrendReport) -> dict[str, Markup]:
    def floats(series: trends.Series) -> dict[str, list[float]]:
        return {k: [float(x) for x in v] for k, v in series.values.items()}

    categories = sorted(set(this.by_category.values) | set(last.by_category.values))
    return {
        "category": charts.stacked_bars(
            this.by_category.days, floats(this.by_category), title="Mentions per day by category"
        ),
        "sentiment": charts.stacked_bars(
            this.sentiment.days, this.sentiment_share(), title="Sentiment share per day", percent=True
        ),
        "themes": charts.hbars(
            [(p, float(n)) for p, n in this.themes[:10]], title="Top complaint themes", fill="#d64545"
        ),
        "voice": charts.hbars([(n, float(v)) for n, v in this.voice], title="Share of voice"),
        "weeks": charts.hbars(
            [(f"{c} this week", float(this.by_category.total(c))) for c in categories]
            + [(f"{c} week before", float(last.by_category.total(c))) for c in categories],
            title="Mentions by category, this week and the week before",
            fill="#3b82c4",
        ),
    }


def render_html(engine: Engine, brands: BrandConfig, brand_key: str, week: Week, tag: str = "") -> str:
    """With `tag`, volume, sentiment, themes, response times and repeat customers count only the mentions
    carrying it, both weeks; share of voice stays the whole brand's (the page says so)."""
    brand = brands.get(brand_key)
    previous = week.before()
    with Session(engine) as session:
        this = trends.report(session, brands.brands, brand_key, week.start, week.end, tag=tag)
        last = trends.report(session, brands.brands, brand_key, previous.start, previous.end, tag=tag)
        if tag:  # how the brand is heard against its competitors is not a question about one tag
            this.voice = trends.report(session, brands.brands, brand_key, week.start, week.end).voice
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters.install(env)
    context: dict[str, Any] = {
        "brand": brand,
        "week": week,
        "tag": tag,
        "previous": previous,
        "r": this,
        "last": last,
        "changes": changes(this, last),
        "figures": figures(this, last),
        "voice_total": sum(n for _, n in this.voice) or 1,
        "generated": utcnow(),
        "color": charts.color,
    }
    return env.get_template("report.html").render(**context)


def write_report(engine: Engine, brands: BrandConfig, brand_key: str, week: Week, output: Path, tag: str = "") -> Path:
    suffix = output.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise InputError("the report is written as .html or .pdf", path=str(output))
    html = render_html(engine, brands, brand_key, week, tag)
    if suffix == ".pdf":
        print_pdf(html, output)
    else:
        output.write_text(html, encoding="utf-8")
    return output


def email_report(
    engine: Engine, brands: BrandConfig, brand_key: str, week: Week, to: list[str], settings: Settings, tag: str = ""
) -> None:
    """The report by e-mail: a short text part, the HTML as the message and as an attached file (mail
    programs that drop inline SVG still open the attachment with its charts)."""
    from email.message import EmailMessage

    from mentiondesk.alerts.targets import DeliveryError, send_mail

    if not to:
        raise ConfigError(f"no recipients: set email_to in [brands.{brand_key}.alerts] or pass --to")
    brand = brands.get(brand_key)
    html = render_html(engine, brands, brand_key, week, tag)
    tagged = f", mentions tagged {tag}" if tag else ""
    mail = EmailMessage()
    mail["Subject"] = f"[Mention Desk] {brand.name}: weekly report {week}{tagged}"
    mail.set_content(f"{brand.name}, week {week} ({week.start} to {week.end}){tagged}: the report is attached.")
    mail.add_alternative(html, subtype="html")
    name = f"{brand_key}-{week}" + (f"-{tag}" if tag else "")
    mail.add_attachment(html.encode(), maintype="text", subtype="html", filename=f"{name}.html")
    try:
        send_mail(mail, to, settings)
    except DeliveryError as exc:
        raise ConfigError(f"could not e-mail the report: {exc}", key="MENTIONDESK_SMTP_HOST") from None


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: str, output: Path) -> None:
    """Print the HTML with headless Chromium (the one the browser tests use); nothing is downloaded."""
    chromium = find_chromium()
    if chromium is None:
        raise ConfigError("a PDF report needs Chromium installed (chromium on PATH); write the report as .html instead")
    with tempfile.TemporaryDirectory(prefix="mentiondesk-report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        result = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={folder}/profile",
                f"--print-to-pdf={output.resolve()}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    if result.returncode != 0 or not output.exists():
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ConfigError(f"Chromium could not print the PDF: {last}")
