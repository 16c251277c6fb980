"""What a command starts from: settings, the database (schema upgraded), the brand file, the classifier."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine

from mentiondesk.core.brands import BrandConfig, load_brands
from mentiondesk.pipeline import Pipeline
from mentiondesk.settings import Settings, get_settings
from responders.drafting import check_templates
from rules.classifier import Classifier, load_classifier
from storage.db import open_database


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
        return Pipeline(engine=self.engine, brands=self.brands, classifier=self.classifier)
