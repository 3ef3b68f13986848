"""A section of RESULTS.md owned by its own script, between two HTML-comment markers.

`run.py` rewrites the rest of the page and keeps these sections; each script (`latency.py`,
`journeys.py`) replaces only its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Section:
    start: str  # e.g. "<!-- follow-latency:start -->"
    end: str

    def write(self, path: Path, section: str) -> None:
        """Put the section in the page, replacing the previous one (or appending it)."""
        text = path.read_text() if path.exists() else ""
        if self.start in text and self.end in text:
            before, rest = text.split(self.start, 1)
            after = rest.split(self.end, 1)[1].lstrip("\n")
            text = before + section + after
        else:
            text = text.rstrip("\n") + ("\n\n" if text else "") + section
        path.write_text(text)

    def keep(self, old_text: str, new_text: str) -> str:
        """The regenerated page (`new_text`) with this section of the old page appended."""
        if self.start not in old_text or self.end not in old_text:
            return new_text
        section = self.start + old_text.split(self.start, 1)[1].split(self.end, 1)[0] + self.end
        return new_text.rstrip("\n") + "\n\n" + section + "\n"
