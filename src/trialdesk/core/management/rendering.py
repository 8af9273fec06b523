"""Rich tables rendered to text, so commands print them through Django's own stdout wrapper."""

import io
import shutil

from django.core.management.base import OutputWrapper
from rich.console import Console


def print_rich(out: OutputWrapper, renderable) -> None:
    """Print a rich table (or any renderable) to a command's stdout, in colour only on a terminal."""
    on_terminal = out.isatty()
    width = shutil.get_terminal_size((120, 40)).columns if on_terminal else 120
    console = Console(file=io.StringIO(), force_terminal=on_terminal, width=width, highlight=False)
    console.print(renderable)
    out.write(console.file.getvalue(), ending="")
