"""Pages of later milestones: each says what it will hold."""

from __future__ import annotations

from mybnpl.i18n import N_
from mybnpl.ui.pages.base import EmptyPage


class DossiersPage(EmptyPage):
    key = "dossiers"
    icon_name = "dossiers"
    nav_title = N_("Dossiers")
    title = N_("Dossiers")
    empty_title = N_("A case file to hand over")
    empty_text = N_("A printable dossier with your timeline, findings and evidence, for a regulator, a "
                    "mediator or a court. Coming with the dossier milestone.")
