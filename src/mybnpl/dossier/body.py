"""Lay a dossier out as :mod:`mybnpl.pdfdoc` blocks: cover, summary and requests, timeline, accounts and
installments, findings, letters and replies, evidence index, verification page, appendices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from mybnpl import pdfdoc
from mybnpl.dossier.labels import colon, evidence_source, label, size_text
from mybnpl.dossier.model import DossierData, EvidenceInfo
from mybnpl.pdfdoc import Block, Extra, Heading, PageBreak, Paragraph, Slot, Table

MAX_TEXT_SHOWN = 3_000  # characters of a text file printed in appendix C (the whole file is attached)

_PROBLEMS = {
    "encrypted": ("已加密（需要密码）", "it is encrypted (password protected)"),
    "damaged": ("文件损坏或不是有效的 PDF", "it is damaged or not a valid PDF"),
    "empty": ("没有页面", "it has no pages"),
    "image": ("不是可显示的图片或已损坏", "it is not an image that can be shown, or it is damaged"),
    "too_large": ("图片过大", "the image is too large"),
    "page": ("部分页面无法并入", "some pages could not be merged"),
}


def problem_text(code: str, lang: str) -> str:
    zh, en = _PROBLEMS.get(code, (code, code))
    return zh if lang == "zh" else en


@dataclass
class Appendix:
    """One evidence item as it appears in the appendices (filled by the caller's probe step)."""

    evidence: EvidenceInfo
    attachment: str
    kind: Literal["image", "pdf", "other"]
    image: pdfdoc.PreparedImage | None = None
    pages: int = 0  # PDF pages to merge
    total_pages: int = 0
    problem: str = ""  # a _PROBLEMS code
    text: str | None = None  # a short text file's content
    slots: list[Slot] = field(default_factory=list)


def _d(day: date | None) -> str:
    return day.isoformat() if day else "—"


def _cover(data: DossierData, manifest_sha256: str) -> list[Block | Extra]:
    lang = data.lang

    def party(p: object) -> str:
        from mybnpl.dossier.model import Party

        assert isinstance(p, Party)
        return "\n".join([p.name, *p.lines])

    rows = (
        (label("respondent", lang), party(data.respondent)),
        (label("regulator", lang), party(data.regulator)),
        (label("case_ref", lang), data.case_reference),
        (label("jurisdiction", lang), data.jurisdiction),
        (label("prepared", lang), data.prepared_on.isoformat()),
    )
    return [
        Table((label("complainant", lang), party(data.complainant)), rows, widths=(1, 3), small=False),
        Paragraph(label("integrity_text", lang), style="small"),
        Paragraph(manifest_sha256, style="mono"),
        PageBreak(),
    ]


def _summary(data: DossierData) -> list[Block | Extra]:
    lang = data.lang
    return [Heading(label("summary", lang)), Paragraph(data.summary), Heading(label("requests", lang), 2),
            Paragraph(data.requests or label("default_requests", lang))]


def _timeline(data: DossierData) -> list[Block | Extra]:
    lang = data.lang
    rows = tuple((_d(e.on), e.what, e.source) for e in data.timeline)
    out: list[Block | Extra] = [Heading(label("timeline", lang))]
    if rows:
        out.append(Table((label("date", lang), label("event", lang), label("source", lang)), rows,
                         widths=(1.1, 5, 1.4)))
    else:
        out.append(Paragraph(label("none_of_kind", lang)))
    return out


def _accounts(data: DossierData) -> list[Block | Extra]:
    lang = data.lang
    out: list[Block | Extra] = [Heading(label("accounts", lang))]
    for a in data.accounts:
        out.append(Heading(f"{label('account', lang)} #{a.id}{colon(lang)}{a.provider}", 2))
        out.append(Table((label("lender", lang), a.lender), ((label("account", lang), a.label),
                                                             (label("reference", lang), a.reference or "—"),
                                                             (label("currency", lang), a.currency)), widths=(1, 3)))
        if not a.plans:
            out.append(Paragraph(label("no_plans", lang), style="small"))
        for p in a.plans:
            c = colon(lang)
            out.append(Paragraph(f"{label('plan', lang)} #{p.id} · {label('merchant', lang)}{c}{p.merchant or '—'} · "
                                 f"{label('total', lang)}{c}{p.total} · {label('fee', lang)}{c}{p.fee} · "
                                 f"{label('cadence', lang)}{c}{p.cadence}", style="small"))
            rows = tuple((str(i.seq), i.due_on.isoformat(), i.amount, label(i.status, lang) if i.status in
                          ("paid", "waived") else label("unpaid", lang), _d(i.paid_on)) for i in p.installments)
            out.append(Table((label("seq", lang), label("due", lang), label("amount", lang), label("status", lang),
                              label("paid_on", lang)), rows, widths=(0.6, 1.2, 1.2, 1, 1.2)))
    return out


def _findings(data: DossierData) -> list[Block | Extra]:
    lang = data.lang
    out: list[Block | Extra] = [Heading(label("findings", lang))]
    if not data.findings:
        out.append(Paragraph(label("no_findings", lang)))
    for f in data.findings:
        sev = label(f.severity, lang) if f.severity in ("info", "warning", "serious") else f.severity
        st = label(f.status, lang) if f.status in ("open", "confirmed", "dismissed") else f.status
        title = f"{f.title or f.kind}（{sev}，{st}）" if lang == "zh" else f"{f.title or f.kind} ({sev}, {st})"
        out.append(Heading(f"{label('finding', lang)} #{f.id}{colon(lang)}{title}", 2))
        out.append(Paragraph(f"{f.first_seen.isoformat()} — {f.explanation}"))
        if f.evidence_ids:
            ids = ", ".join(f"#{i}" for i in f.evidence_ids)
            out.append(Paragraph(f"{label('evidence_ids', lang)}{colon(lang)}{ids}", style="small"))
    return out


def _letters(data: DossierData) -> list[Block | Extra]:
    lang = data.lang
    out: list[Block | Extra] = [Heading(label("letters", lang))]
    if not data.letters:
        out.append(Paragraph(label("no_letters", lang)))
        return out
    rows = []
    for t in data.letters:
        sent = _d(t.sent_on) if t.sent_on else label("draft", lang)
        how = " / ".join(x for x in (t.sent_channel, t.sent_ref) if x) or "—"
        deadline = _d(t.deadline_on) + ("\n" + label(t.deadline_state, lang) if t.deadline_state != "none" else "")
        replies = "\n".join(f"#{r.evidence_id} {r.received_on.isoformat()}" for r in t.replies) or "—"
        rows.append((f"#{t.id} {t.kind}", t.recipient, sent, how, deadline, replies))
    out.append(Table((label("letter", lang), label("recipient", lang), label("sent", lang),
                      label("channel_ref", lang), label("deadline", lang), label("replies", lang)), tuple(rows),
                     widths=(1.5, 1.6, 0.9, 1.1, 1.2, 1)))
    return out


def _index(data: DossierData, appendices: list[Appendix]) -> list[Block | Extra]:
    lang = data.lang
    names = {a.evidence.id: a.attachment for a in appendices}
    sep = colon(lang)
    rows = tuple((f"#{e.id}", f"{e.description or e.filename}\n{label('source', lang)}{sep}"
                  f"{evidence_source(e.source, lang)} · {label('added_at', lang)}{sep}"
                  f"{e.added_at.strftime('%Y-%m-%d %H:%M')} · {size_text(e.size, lang)}\n"
                  f"{label('attached_as', lang)}{sep}{names.get(e.id, '')}", e.sha256) for e in data.evidence)
    out: list[Block | Extra] = [Heading(label("evidence_index", lang))]
    if not rows:
        return [*out, Paragraph(label("none_of_kind", lang))]
    # the SHA-256 column fits 64 hex digits on one line (mono 7.5 pt ≈ 240 pt), so they stay searchable
    return [*out, Table((label("id", lang), label("description", lang), "SHA-256"), rows, widths=(0.35, 2.0, 2.75),
                        mono=frozenset({2}))]


def _verification(data: DossierData, public_pem: str, fingerprint: str) -> list[Block | Extra]:
    lang = data.lang
    return [
        PageBreak(), Heading(label("verification", lang)), Paragraph(label("verify_intro", lang)),
        Heading(label("public_key", lang), 2), Paragraph(public_pem.strip(), style="mono"),
        Heading(label("fingerprint", lang), 2), Paragraph(fingerprint, style="mono"),
        Paragraph(label("fingerprint_note", lang), style="small"), Paragraph(label("scope_note", lang), style="small"),
        Paragraph(label("step1", lang), style="small"), Paragraph("pdfdetach -saveall dossier.pdf", style="mono"),
        Paragraph(label("step2", lang), style="small"),
        Paragraph("sha256sum evidence-* dossier-content.json", style="mono"),
        Paragraph(label("step3", lang), style="small"),
        Paragraph("openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin \\\n"
                  "    -in manifest.json -sigfile manifest.json.sig", style="mono"),
        Paragraph(label("step4", lang), style="small"),
        Paragraph("openssl pkey -pubin -in signing-key.pem -outform DER | tail -c 32 | sha256sum", style="mono"),
        Paragraph(label("step5", lang), style="small"), Paragraph("mybnpl dossier verify dossier.pdf", style="mono"),
    ]


def _caption(a: Appendix) -> str:
    e = a.evidence
    return f"#{e.id} · {e.description or e.filename} · {e.filename}\nSHA-256 {e.sha256}"


def _appendices(data: DossierData, appendices: list[Appendix]) -> list[Block | Extra]:
    lang = data.lang
    out: list[Block | Extra] = [PageBreak(), Heading(label("appendices", lang)), Heading(label("app_images", lang), 2)]
    images = [a for a in appendices if a.kind == "image"]
    if not images:
        out.append(Paragraph(label("none_of_kind", lang)))
    for n, a in enumerate(images):
        if n:
            out.append(PageBreak())
        out.append(Heading(f"#{a.evidence.id}{colon(data.lang)}{a.evidence.description or a.evidence.filename}", 3))
        if a.image is None:
            out.append(Paragraph(_caption(a), style="small"))
            out.append(Paragraph(label("not_shown", lang, reason=problem_text(a.problem, lang))))
            continue
        scaled = (label("scaled", lang, w=a.image.scaled_from[0], h=a.image.scaled_from[1])
                  if a.image.scaled_from else "")
        out.append(pdfdoc.Image(a.image, _caption(a) + scaled))
    out += [PageBreak(), Heading(label("app_pdfs", lang), 2)]
    pdfs = [a for a in appendices if a.kind == "pdf"]
    if not pdfs:
        out.append(Paragraph(label("none_of_kind", lang)))
    for a in pdfs:
        out.append(Heading(f"#{a.evidence.id}{colon(data.lang)}{a.evidence.description or a.evidence.filename}", 3))
        if a.problem:
            out.append(Paragraph(_caption(a), style="small"))
            out.append(Paragraph(label("not_merged", lang, reason=problem_text(a.problem, lang))))
        a.slots = [Slot(f"mybnpl-ev{a.evidence.id}-p{i}", f"{_caption(a)} · "
                        f"{label('page_of', lang, n=i + 1, total=a.total_pages)}") for i in range(a.pages)]
        out.extend(a.slots)
        if a.pages:
            out.append(PageBreak())
    out.append(Heading(label("app_other", lang), 2))
    others = [a for a in appendices if a.kind == "other"]
    if not others:
        out.append(Paragraph(label("none_of_kind", lang)))
    for a in others:
        out.append(Heading(f"#{a.evidence.id}{colon(data.lang)}{a.evidence.description or a.evidence.filename}", 3))
        out.append(Paragraph(f"{_caption(a)}\n{a.evidence.media_type} · {size_text(a.evidence.size, lang)} · "
                             f"{label('attached_as', lang)}{colon(lang)}{a.attachment}", style="small"))
        if a.text:
            out.append(Paragraph(a.text[:MAX_TEXT_SHOWN] + (" …" if len(a.text) > MAX_TEXT_SHOWN else ""),
                                 style="small"))
    return out


def build_blocks(data: DossierData, appendices: list[Appendix], manifest_sha256: str, public_pem: str,
                 fingerprint: str) -> list[Block | Extra]:
    return [*_cover(data, manifest_sha256), *_summary(data), *_timeline(data), *_accounts(data), *_findings(data),
            *_letters(data), *_index(data, appendices), *_verification(data, public_pem, fingerprint),
            *_appendices(data, appendices)]
