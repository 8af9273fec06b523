"""Money columns: exact decimals wide enough for any currency's minor unit (ISO 4217 has at most 3 in use;
4 keeps a rounding step visible), and exchange rates with 10 decimals."""

from django.db import models


def money_field(verbose_name=None, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=4, **kwargs)


def percent_field(verbose_name=None, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=7, decimal_places=3, **kwargs)


def rate_field(verbose_name=None, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=24, decimal_places=10, **kwargs)


def currency_field(verbose_name="currency", **kwargs) -> models.CharField:
    return models.CharField(verbose_name, max_length=3, help_text="ISO 4217 code, e.g. EUR.", **kwargs)
