"""What a command starts from: settings, the database (schema upgraded), the brand file, the classifier."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from mentiondesk.core.brands import BrandConfig, load_brands
from mentiondesk.core.errors import ConfigError
from mentiondesk.pipeline import Pipeline
from mentiondesk.settings import Settings, get_settings
from responders.drafting import check_templates
from rules.classifier import Classifier, load_classifier
from rules.costs import Rates, SpendMeter, parse_price_card
from storage.db import open_database

SHIPPED_CARD = Path(__file__).resolve().parent / "price_card.toml"


def load_price_card(path: Path | None) -> tuple[dict[str, Rates], Path]:
    """The price card at `path` (MENTIONDESK_PRICE_CARD), else the dated one shipped with the desk."""
    card_path = path or SHIPPED_CARD
    try:
        data = tomllib.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("price card not found", path=card_path) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the price card: {exc}", path=card_path) from None
    return parse_price_card(data, path=str(card_path)), card_path


@dataclass
class App:
    settings: Settings
    engine: Engine
    _brands: BrandConfig | None = field(default=None, repr=False)

    @classmethod
    def open(cls, settings: Settings | None = None, *, brands: BrandConfig | None = None) -> App:
        settings = settings or get_settings()
        return cls(settings=settings, engine=open_database(settings.database_url), _brands=brands)

    @property
    def brands(self) -> BrandConfig:
        if self._brands is None:
            self._brands = load_brands(self.settings.brands_file)
            for brand in self._brands.brands.values():
                check_templates(brand)
        return self._brands

    @cached_property
    def classifier(self) -> Classifier:
        return load_classifier(self.settings.model)

    @cached_property
    def pipeline(self) -> Pipeline:
        return Pipeline(engine=self.engine, brands=self.brands, classifier=self.classifier, meter=self.meter)

    @cached_property
    def meter(self) -> SpendMeter | None:
        """Prices reads for the brands' monthly spend caps; None when no brand sets one."""
        caps = {key: dict(b.monthly_spend_cap) for key, b in self.brands.brands.items() if b.monthly_spend_cap}
        if not caps:
            return None
        return SpendMeter(load_price_card(self.settings.price_card)[0], caps)
