"""Pages of later milestones: each says what it will hold."""

from __future__ import annotations

from mybnpl.i18n import N_
from mybnpl.ui.pages.base import EmptyPage


class LettersPage(EmptyPage):
    key = "letters"
    icon_name = "letters"
    nav_title = N_("Letters")
    title = N_("Letters")
    empty_title = N_("Letters you edit and send yourself")
    empty_text = N_("Complaint and dispute letters are templates filled in from your case: you read them, "
                    "change what you want and send them yourself. mybnpl is not a lawyer and does not give "
                    "legal advice. Coming with the letters milestone.")


class DossiersPage(EmptyPage):
    key = "dossiers"
    icon_name = "dossiers"
    nav_title = N_("Dossiers")
    title = N_("Dossiers")
    empty_title = N_("A case file to hand over")
    empty_text = N_("A printable dossier with your timeline, findings and evidence, for a regulator, a "
                    "mediator or a court. Coming with the dossier milestone.")
