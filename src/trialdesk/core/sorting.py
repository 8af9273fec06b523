"""Column headers that sort a list: clicking sorts by the column, clicking again reverses it."""


def sort_columns(columns: tuple[tuple[str, str], ...], current: str) -> list[dict]:
    found = []
    for key, label in columns:
        ascending, descending = current == key, current == f"-{key}"
        found.append(
            {
                "key": key,
                "label": label,
                "sort": f"-{key}" if ascending else key,
                "indicator": "▲" if ascending else "▼" if descending else "",
            }
        )
    return found
