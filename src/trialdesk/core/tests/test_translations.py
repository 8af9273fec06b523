"""The site-facing pages in the site staff's languages (issue 20 §6): the catalogues are complete and
compiled, no site-facing template shows an untranslated string, and each person sees their language.

After marking new strings: `trialdesk makemessages -l de -l es -l fr -l ja` (from src/trialdesk), translate
them in each django.po, then `trialdesk compilemessages` and commit the .po and .mo files together.
"""

import ast
import datetime as dt
import gettext
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.forms.utils import pretty_name
from django.template import engines
from django.template.base import Lexer, TokenType
from django.urls import reverse
from django.utils import translation

from trialdesk.core.models import AuditEvent, User

TRANSLATED = ("de", "es", "fr", "ja")
LOCALE = Path(settings.LOCALE_PATHS[0])
SRC = Path(settings.BASE_DIR)

# The pages site staff work in: sign-in, my work, the person's own page, screening, consent, visits,
# adverse events and action items, with the layout and partials they share.
SITE_FACING_TEMPLATES = (
    "templates/base.html",
    "templates/form_page.html",
    "templates/403.html",
    "templates/404.html",
    "templates/partials/breadcrumbs.html",
    "templates/partials/field.html",
    "templates/partials/form_fields.html",
    "templates/partials/language_picker.html",
    "templates/partials/pagination.html",
    "templates/partials/subjects_hidden.html",
    "core/templates/core/sign_in.html",
    "core/templates/core/my_work.html",
    "core/templates/core/me.html",
    "subjects/templates/subjects/screening_log.html",
    "subjects/templates/subjects/partials/screening_table.html",
    "subjects/templates/subjects/tabs/consent.html",
    "subjects/templates/subjects/tabs/reconsent.html",
    "subjects/templates/subjects/consent_version_detail.html",
    "subjects/templates/subjects/participant_detail.html",
    "subjects/templates/subjects/tabs/participants.html",
    "visits/templates/visits/participant_visits.html",
    "visits/templates/visits/missed_visits.html",
    "visits/templates/visits/schedule.html",
    "safety/templates/safety/event_form.html",
    "safety/templates/safety/event_detail.html",
    "safety/templates/safety/partials/ctcae_help.html",
    "safety/templates/safety/partials/event_filters.html",
    "safety/templates/safety/partials/obligation_rows.html",
    "safety/templates/safety/tabs/safety.html",
    "monitoring/templates/monitoring/action_item_list.html",
    "monitoring/templates/monitoring/action_item_detail.html",
    "monitoring/templates/monitoring/partials/action_table.html",
    "monitoring/templates/monitoring/partials/action_rows.html",
    "monitoring/templates/monitoring/partials/sort_head.html",
    "feasibility/templates/feasibility/questionnaire.html",
    "feasibility/templates/feasibility/tabs/feasibility.html",
    # The study page's header and tabs, and the supply, samples, start-up and feasibility pages.
    "studies/templates/studies/study_detail.html",
    "studies/templates/studies/partials/study_tabs.html",
    "feasibility/templates/feasibility/template.html",
    "supply/templates/supply/excursion.html",
    "supply/templates/supply/forecast.html",
    "supply/templates/supply/participant.html",
    "supply/templates/supply/receive.html",
    "supply/templates/supply/shipment.html",
    "supply/templates/supply/site.html",
    "supply/templates/supply/panels/site.html",
    "supply/templates/supply/tabs/supply.html",
    "samples/templates/samples/overview.html",
    "samples/templates/samples/shipment.html",
    "samples/templates/samples/site.html",
    "samples/templates/samples/panels/site.html",
    "samples/templates/samples/partials/permits.html",
    "samples/templates/samples/partials/reconciliation.html",
    "samples/templates/samples/partials/shipments.html",
    "samples/templates/samples/tabs/samples.html",
    "startup/templates/startup/panels/site.html",
    "startup/templates/startup/tabs/startup.html",
    "startup/templates/startup/tabs/closeout.html",
    "feasibility/templates/feasibility/panels/site.html",
)

# Labels those pages translate as they draw them (form fields through the `translated` filter, choices
# through {% translate record.get_x_display %}): listed in core/labels.py so makemessages keeps them.
SITE_FACING_FORMS = (
    "trialdesk.core.forms.SignInForm",
    "trialdesk.core.forms.PreferencesForm",
    "trialdesk.core.forms.ApiTokenForm",
    "trialdesk.core.forms.PasswordChangeForm",
    "trialdesk.core.forms.ReasonForm",
    "trialdesk.core.forms.StatusChangeForm",
    "trialdesk.subjects.forms.ScreeningEntryForm",
    "trialdesk.subjects.forms.ConsentForm",
    "trialdesk.subjects.forms.EnrollmentForm",
    "trialdesk.subjects.forms.DemographicsForm",
    "trialdesk.subjects.forms.WithdrawalForm",
    "trialdesk.visits.forms.RecordVisitForm",
    "trialdesk.visits.forms.ScheduleForm",
    "trialdesk.safety.forms.AdverseEventForm",
    "trialdesk.safety.forms.AdverseEventFilterForm",
    "trialdesk.monitoring.forms.quality.ActionMoveForm",
    "trialdesk.monitoring.forms.quality.ActionFilterForm",
)
SITE_FACING_CHOICES = (
    ("core.RoleAssignment", "role"),
    ("studies.ProtocolVersion", "status"),
    ("sites.StudySite", "status"),
    ("subjects.Participant", "status"),
    ("subjects.Participant", "sex"),
    ("subjects.ScreeningEntry", "source"),
    ("subjects.ScreeningEntry", "outcome"),
    ("subjects.ScreeningEntry", "failure_reason"),
    ("subjects.Consent", "minor_assent"),
    ("visits.VisitDefinition", "visit_type"),
    ("visits.VisitDefinition", "anchor"),
    ("visits.ScheduledVisit", "modality"),
    ("safety.StudySafetySettings", "product_type"),
    ("safety.CommitteeReportingPolicy", "event_kind"),
    ("safety.AdverseEventVersion", "causality"),
    ("safety.AdverseEventVersion", "action_taken"),
    ("safety.AdverseEventVersion", "outcome"),
    ("monitoring.ActionItem", "owner_party"),
    ("monitoring.ActionItem", "status"),
    ("feasibility.ConfidentialityAgreement", "status"),
    ("feasibility.Questionnaire", "status"),
    ("feasibility.SelectionDecision", "outcome"),
    # The study team's and supply pages the site staff also open (issue 20 §6, the rest of the pages).
    ("feasibility.TemplateQuestion", "topic"),
    ("feasibility.TemplateQuestion", "kind"),
    ("supply.Shipment", "status"),
    ("supply.Kit", "status"),
    ("supply.Excursion", "status"),
    ("visits.ProtocolDeviation", "category"),
    ("subjects.DiversityTarget", "dimension"),
    ("safety.ReportingObligation", "status"),
    ("safety.ObligationAttachment", "kind"),
    ("startup.GateOverride", "gate"),
    ("samples.Shipment", "status"),
)
# Plain tables of labels shown on those pages.
SITE_FACING_LABEL_TABLES = (
    "trialdesk.safety.models.events.SERIOUSNESS_LABELS",
    "trialdesk.visits.rules.STANDING_LABELS",
)
# Labels the site-facing forms set as they are made (not on the class).
SITE_FACING_FORM_INIT_LABELS = (
    "— choose the visit —",
    "Needed when you correct a visit already recorded.",
    "All sites",
    "By participant number.",
)
# Words that read the same in every language: codes, units and names.
SAME_IN_EVERY_LANGUAGE = frozenset(
    {"Trialdesk", "UTC", "IRB", "sha256", "MedDRA", "CTCAE", "SHA-256", "ID", "v", "e", "x", "h", "d"}
    # File formats, units and the monitoring visit codes (SIV, COV; SDV, SDR: source data verification
    # and review), written the same in every language the pages are in.
    | {"CSV", "JSON", "kg", "CO2e", "km", "SIV", "COV", "SDV", "SDR", "PD-"}
)


def site_facing_labels(*, with_work_kinds: bool = False) -> set[str]:
    """Every label the site-facing pages translate at run time (what core/labels.py must list). The kinds
    of "my work" were listed as they were registered when the pages were translated; a kind added later
    shows in English until it is listed and translated (with_work_kinds=True names them all)."""
    from django.apps import apps
    from django.forms import ModelChoiceField

    from trialdesk.core import extensions

    found: set[str] = set(SITE_FACING_FORM_INIT_LABELS)

    def add(text):
        if isinstance(text, str) and re.search(r"[^\W\d_]", text) and text != "---------":
            found.add(text)

    for path in SITE_FACING_FORMS:
        module, name = path.rsplit(".", 1)
        form = getattr(importlib.import_module(module), name)
        for field_name, field in form.base_fields.items():
            add(field.label if field.label is not None else pretty_name(field_name))
            add(field.help_text)
            if hasattr(field, "choices") and not isinstance(field, ModelChoiceField):
                for _, label in field.choices:
                    add(label)
    for model, field_name in SITE_FACING_CHOICES:
        for _, label in apps.get_model(model)._meta.get_field(field_name).choices:
            add(label)
    for path in SITE_FACING_LABEL_TABLES:
        module, name = path.rsplit(".", 1)
        table = getattr(importlib.import_module(module), name)
        for label in table.values() if isinstance(table, dict) else table:
            add(label)
    for source in extensions.my_work if with_work_kinds else ():
        add(source.label)
    return found


# --- the catalogues -------------------------------------------------------------------------------

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: {'msgid', 'msgid_plural', 'msgstr': {index: text}, 'fuzzy'}, with
    'msgctxt' where the message has a context ({% translate "Item" context "checklist" %})."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip() or line.startswith("#~"):
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if line.startswith("#"):
            entry = entry or {"msgid": "", "msgid_plural": None, "msgstr": {}, "fuzzy": False}
            entry["fuzzy"] |= line.startswith("#,") and "fuzzy" in line
            continue
        entry = entry or {"msgid": "", "msgid_plural": None, "msgstr": {}, "fuzzy": False}
        text = "".join(_unescape(m) for m in _STRING.findall(line))
        if line.startswith("msgctxt"):
            key, entry["msgctxt"] = "msgctxt", text
        elif line.startswith("msgid_plural"):
            key, entry["msgid_plural"] = "msgid_plural", text
        elif line.startswith("msgid"):
            key, entry["msgid"] = "msgid", text
        elif line.startswith("msgstr["):
            key = int(line[7 : line.index("]")])
            entry["msgstr"][key] = text
        elif line.startswith("msgstr"):
            key = 0
            entry["msgstr"][0] = text
        elif key in ("msgctxt", "msgid", "msgid_plural"):
            entry[key] += text
        else:
            entry["msgstr"][key] += text
    return entries


def catalogue_of(entries: list[dict]) -> dict:
    """What msgfmt would compile from the entries, keyed as Python's gettext reads a .mo file."""
    catalogue = {}
    for entry in entries:
        if entry["fuzzy"] and entry["msgid"]:
            continue
        msgid = f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]
        if entry["msgid_plural"] is None:
            if entry["msgstr"].get(0):
                catalogue[msgid] = entry["msgstr"][0]
        elif all(entry["msgstr"].values()):
            for index, text in entry["msgstr"].items():
                catalogue[(msgid, index)] = text
    return catalogue


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_compiled_catalogue_matches_its_po_file(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as compiled:
        from_mo = gettext.GNUTranslations(compiled)._catalog
    from_po = catalogue_of(read_po(folder / "django.po"))
    assert {k: v for k, v in from_mo.items() if k != ""} == {k: v for k, v in from_po.items() if k != ""}, (
        f"{language}: django.mo is not compiled from django.po; run `trialdesk compilemessages`"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation_in_each_language(language):
    entries = [e for e in read_po(LOCALE / language / "LC_MESSAGES" / "django.po") if e["msgid"]]
    assert entries
    untranslated = [e["msgid"] for e in entries if e["fuzzy"] or not all(e["msgstr"].values())]
    assert not untranslated, f"{language}: not translated: {untranslated[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_run_time_label_of_the_site_pages_is_translated(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    missing = sorted(label for label in site_facing_labels() if label not in catalogue)
    assert not missing, f"{language}: add these to core/labels.py and translate them: {missing[:10]}"


def test_labels_module_lists_every_run_time_label():
    tree = ast.parse((SRC / "core" / "labels.py").read_text(encoding="utf-8"))
    listed = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_" and node.args
    }
    assert not sorted(site_facing_labels() - listed)


# --- the templates --------------------------------------------------------------------------------

_VISIBLE_ATTRIBUTE = re.compile(r'\b(?:title|placeholder|aria-label|alt)="([^"{}]*)"')
_WORD = re.compile(r"[^\W\d_][\w\-]*")


def _visible(text: str) -> bool:
    return any(word not in SAME_IN_EVERY_LANGUAGE for word in _WORD.findall(text))


def untranslated_text(source: str) -> list[str]:
    """Visible text of a template outside {% translate %} and {% blocktranslate %}: text between HTML
    tags and the visible attributes (title, placeholder, aria-label, alt)."""
    found, inside_block, in_tag = [], 0, False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "comment"):
                inside_block += 1
            elif name in ("endblocktranslate", "endcomment"):
                inside_block -= 1
            continue
        if token.token_type != TokenType.TEXT or inside_block:
            continue
        text, i = token.contents, 0
        while i < len(text):
            if in_tag:
                end = text.find(">", i)
                tag = text[i:] if end < 0 else text[i : end + 1]
                found += [m.group(1) for m in _VISIBLE_ATTRIBUTE.finditer(tag) if _visible(m.group(1))]
                if end < 0:
                    break
                in_tag, i = False, end + 1
            else:
                start = text.find("<", i)
                piece = text[i:] if start < 0 else text[i:start]
                if _visible(piece):
                    found.append(piece.strip())
                if start < 0:
                    break
                in_tag, i = True, start + 1
    return found


# Every page, not only the site staff's: the study team's pages are translated too (issue 20 §6,
# "Django's translation framework throughout").
EVERY_TEMPLATE = tuple(
    sorted(
        str(path.relative_to(SRC)) for path in SRC.glob("**/templates/**/*.html") if "tests" not in path.parts
    )
)


def test_the_site_facing_templates_are_among_every_template():
    assert set(SITE_FACING_TEMPLATES) <= set(EVERY_TEMPLATE)


@pytest.mark.parametrize("template", EVERY_TEMPLATE)
def test_no_template_has_an_untranslated_string(template):
    assert not untranslated_text((SRC / template).read_text(encoding="utf-8"))


def test_the_template_check_finds_plain_text_and_titles():
    source = '{% load i18n %}<p title="Due soon">Overdue {{ n }}</p>{% translate "Fine" %} · 12 UTC'
    assert untranslated_text(source) == ["Due soon", "Overdue"]


# --- what each person sees ------------------------------------------------------------------------


def test_a_german_browser_gets_the_sign_in_page_in_german(db, client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert '<html lang="de">' in body and "Bei Trialdesk anmelden" in body and "Passwort" in body


def test_without_a_preference_or_accept_language_the_pages_are_english(db, client):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en-gb">' in body and "Sign in to Trialdesk" in body


def test_the_sign_in_pages_picker_sets_the_language(db, client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("login")})
    assert response.status_code == 302
    assert "Se connecter à Trialdesk" in client.get(reverse("login")).content.decode()


@pytest.fixture
def japanese_coordinator(db):
    return User.objects.create_user(
        username="kenji", password="x" * 12, language="ja", time_zone="Asia/Tokyo"
    )


def test_a_japanese_users_home_is_their_work_in_japanese(japanese_coordinator, client):
    from trialdesk.notifications.models import HomePage, HomePreference

    HomePreference.objects.create(person=japanese_coordinator, home=HomePage.MY_WORK)
    client.force_login(japanese_coordinator)
    response = client.get(reverse("home"), follow=True)
    body = response.content.decode()
    assert '<html lang="ja">' in body and "私の作業" in body and "サインアウト" in body
    assert "今日は" in body and "Asia/Tokyo" in body


def test_a_persons_choice_beats_the_browsers_language(japanese_coordinator, client):
    client.force_login(japanese_coordinator)
    body = client.get(reverse("me"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="ja">' in body and "言語とタイムゾーン" in body


def test_saving_preferences_changes_the_language_and_is_audited(db, client):
    person = User.objects.create_user(username="ana", password="x" * 12)
    client.force_login(person)
    response = client.post(reverse("preferences_change"), {"language": "es", "time_zone": "Europe/Madrid"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.language, person.time_zone) == ("es", "Europe/Madrid")
    assert "Sus preferencias se han guardado." in client.get(reverse("me")).content.decode()
    event = AuditEvent.objects.get(action="user.preferences_changed")
    assert event.actor == person and "Europe/Madrid" in str(event.changes)


def test_an_unknown_time_zone_is_refused_naming_the_field_and_nothing_changes(db, client):
    person = User.objects.create_user(username="ana", password="x" * 12)
    client.force_login(person)
    response = client.post(reverse("preferences_change"), {"language": "de", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200 and 'id="id_time_zone"' in response.content.decode()
    assert response.context["preferences_form"].errors["time_zone"]
    person.refresh_from_db()
    assert (person.language, person.time_zone) == ("", "")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-gb", "2026-03-01"),
        ("de", "01.03.2026"),
        ("fr", "01/03/2026"),
        ("es", "01/03/2026"),
        ("ja", "2026/03/01"),
    ],
)
def test_dates_are_written_in_each_languages_short_format(language, expected):
    template = engines["django"].from_string('{{ day|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(language):
        assert template.render({"day": dt.date(2026, 3, 1)}) == expected


def test_numbers_are_written_in_each_languages_format():
    template = engines["django"].from_string("{{ value }}")
    with translation.override("de"):
        assert template.render({"value": 1.5}) == "1,5"
    with translation.override("en-gb"):
        assert template.render({"value": 1.5}) == "1.5"


def test_a_german_coordinator_gets_a_service_refusal_and_the_supply_and_start_up_pages_in_german(
    world, client_for
):
    coordinator, site = world.coordinator, world.site_b1
    User.objects.filter(pk=coordinator.pk).update(language="de")
    client = client_for(coordinator)
    # The service refuses (no kit at the site to quarantine): its message, in German, names the field.
    url = reverse("supply_site_excursion_create", kwargs={"study_site_id": site.pk})
    refused = client.post(
        url,
        {
            "detected_on": "2025-03-01",
            "temperature_min_c": "2",
            "temperature_max_c": "12",
            "description": "x",
        },
    )
    assert refused.status_code == 200
    assert "Kein verfügbares Kit in diesem Prüfzentrum" in refused.content.decode()
    supply = client.get(f"/study-sites/{site.pk}/supply/").content.decode()
    assert '<html lang="de">' in supply and "Prüfpräparat bei" in supply
    site_page = client.get(reverse("study_site_detail", kwargs={"study_site_id": site.pk})).content.decode()
    assert (
        "Start: vor der Aktivierung erforderlich" in site_page and "Vertraulichkeitsvereinbarung" in site_page
    )
    study = client.get(f"/studies/{site.study_id}/?tab=startup").content.decode()
    assert "Übersicht" in study and "Durchlaufzeiten (Median in Tagen)" in study


def test_service_messages_follow_the_active_language():
    from django.core.exceptions import ValidationError

    from trialdesk.startup import services

    for language, expected in (
        ("de", "Wählen Sie eines von"),
        ("ja", "次から選んでください"),
        ("en-gb", "Choose one of"),
    ):
        with translation.override(language), pytest.raises(ValidationError) as refusal:
            services._gate("nonsense")
        assert expected in refusal.value.message_dict["gate"][0]
