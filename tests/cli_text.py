"""What a CLI error says, as one line: rich draws it in a panel, with borders, wrapped at the terminal's width."""

BOX = str.maketrans(dict.fromkeys("│╭╮╰╯─", " "))


def unboxed(text: str) -> str:
    return " ".join(text.translate(BOX).split())
