"""The `trialdesk` console script: Django's management commands under the product's name.

Most commands need every app loaded: `django.setup()` imports each app's models and runs its `ready()`,
which registers pages, API routes, gates and hooks. That costs about two seconds, and two kinds of call
need none of it, so they skip it:

- the overview (`trialdesk`, `trialdesk --help`, `trialdesk help [--commands]`, `trialdesk --version`)
  finds the commands where Django looks for them (each installed app's `management/commands` folder)
  without importing the apps;
- the offline calculations named in OFFLINE read files and print: they touch no model, no database and no
  registry that apps fill in `ready()`, so they run with the settings alone.

Every other call goes to Django's `execute_from_command_line`, unchanged. tests/test_cli.py checks the
overview against Django's own discovery and runs each offline calculation in a fresh interpreter.
"""

import os
import sys
from importlib.util import find_spec

#: Sub-commands that run before (and without) the apps being loaded: {command: its offline actions}.
#: Their modules import no model at the top; their other actions (which use the database) import what
#: they need inside the method that runs them.
OFFLINE: dict[str, frozenset[str]] = {
    "stats": frozenset({"sample-size", "randomization-list", "minimize"}),
    "forecast": frozenset({"enrollment"}),
    # `score` only: the other rbqm actions are added by apps (core.extensions.command_actions).
    "rbqm": frozenset({"score"}),
    "safety": frozenset({"clocks"}),
    "finance": frozenset({"earnings"}),
    "eligibility": frozenset({"parse", "screen"}),
    "monitoring": frozenset({"carbon"}),
}
OVERVIEW = (["--help"], ["-h"], ["help"], ["help", "--commands"], ["--version"], ["version"], [])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    argv = ["trialdesk", *sys.argv[1:]]
    # Bash completion (Django's DJANGO_AUTO_COMPLETE) asks Django itself, which needs the apps loaded.
    completing = "DJANGO_AUTO_COMPLETE" in os.environ
    if argv[1:] in OVERVIEW and not completing:
        sys.stdout.write(overview(argv[1:]) + "\n")
    elif is_offline(argv[1:]) and not completing:
        run_offline(argv)
    else:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)


def command_apps() -> dict[str, str] | None:
    """{command name: app name}, as Django's `get_commands()` finds them, without loading the apps.

    None when an installed app is named by its AppConfig class rather than its module (then only
    loading it says which module it is).
    """
    from django.conf import settings
    from django.core import management

    commands = {name: "django.core" for name in management.find_commands(management.__path__[0])}
    # Django lets the first installed app win: it goes through them last to first, each overwriting.
    for app in reversed(settings.INSTALLED_APPS):
        spec = find_spec(app)
        if spec is None or not spec.submodule_search_locations:
            return None
        management_dir = os.path.join(next(iter(spec.submodule_search_locations)), "management")
        commands.update({name: app for name in management.find_commands(management_dir)})
    return commands


def overview(args: list[str]) -> str:
    """What Django prints for `args` (one of OVERVIEW), the commands found without loading the apps."""
    import django

    if args in (["--version"], ["version"]):
        return django.get_version()
    commands = command_apps()
    if commands is None:
        django.setup()
        from django.core.management import get_commands

        commands = get_commands()
    if args == ["help", "--commands"]:
        return "\n".join(sorted(commands))
    return help_text(commands)


def help_text(commands: dict[str, str]) -> str:
    """The command list as Django's ManagementUtility.main_help_text() writes it, grouped by app."""
    from django.core.management.color import color_style

    by_app: dict[str, list[str]] = {}
    for name, app in commands.items():
        by_app.setdefault("django" if app == "django.core" else app.rpartition(".")[-1], []).append(name)
    style = color_style()
    usage = [
        "",
        "Type 'trialdesk help <subcommand>' for help on a specific subcommand.",
        "",
        "Available subcommands:",
    ]
    for app in sorted(by_app):
        usage += ["", style.NOTICE(f"[{app}]"), *(f"    {name}" for name in sorted(by_app[app]))]
    return "\n".join(usage)


def is_offline(args: list[str]) -> bool:
    """Whether `args` name an offline action (and no option that changes settings or the path)."""
    return (
        len(args) >= 2
        and args[1] in OFFLINE.get(args[0], ())
        and not any(arg.startswith(("--settings", "--pythonpath")) for arg in args)
    )


def run_offline(argv: list[str]) -> None:
    """Run an offline action as Django would, with the settings but no app loaded.

    Logging is left as Python sets it up (warnings to stderr): configuring Django's would import its
    mail and debug-page machinery (AdminEmailHandler), and these actions log nothing of their own.
    Translation is off: Django's catalogues are found through the loaded apps, and a command prints its
    messages untranslated anyway (BaseCommand.execute deactivates translation), so a message marked
    for translation reads the same.
    """
    from django.conf import settings
    from django.core.management import execute_from_command_line, load_command_class

    apps = command_apps()
    if apps is None:
        execute_from_command_line(argv)
        return
    settings.USE_I18N = False
    load_command_class(apps[argv[1]], argv[1]).run_from_argv(argv)


if __name__ == "__main__":
    main()
