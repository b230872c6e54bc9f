"""Sections of the staff case page that other areas of the app add (deadlines, letters).

The case page (advocacy/views/cases.py) renders, after its own sections, each registered panel:
`{% include panel.template with panel=panel.context case=case %}`. A panel's `context(case, request)` runs
with the case already loaded through the access kit, so a panel never loads a case itself.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CasePanel:
    name: str
    template: str
    context: Callable  # (case, request) -> dict
    order: int


_PANELS: dict[str, CasePanel] = {}


def register_case_panel(name: str, *, template: str, context: Callable, order: int = 100) -> None:
    _PANELS[name] = CasePanel(name=name, template=template, context=context, order=order)


def case_panels_for(case, request) -> list[dict]:
    """[{"name", "template", "context"}] in ascending order, contexts computed."""
    panels = sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.name))
    return [{"name": p.name, "template": p.template, "context": p.context(case, request)} for p in panels]
