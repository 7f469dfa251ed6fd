"""Compose a letter: choose its recipient and legal basis from the legal data and the provider catalog, build
the template context from the facts, render it.

Pure. Routing: letters to the firm (complaint, hardship, closure, refund) go to the lender named in the catalog
(its legal lending entity; the platform operator is named too). A regulator letter goes to the first channel of
the provider's escalation route (Catalog.route) in the letter's jurisdiction, or to ``channel`` if given —
so a 美团月付 complaint goes to the local financial regulator (small-loan company), a 花呗 one to NFRA 12378,
a 先用后付 one to 12315. A credit-report dispute goes to the recipient the legal data names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from mybnpl.core.catalog import LATIN_NOTE, PROVIDER_STEP, Catalog, Provider, Text
from mybnpl.core.errors import InvalidInput
from mybnpl.i18n import N_, current_language
from mybnpl.letters.facts import LetterFacts, mask_id
from mybnpl.letters.legal import KINDS, DeadlineRule, Legal, Statute
from mybnpl.letters.render import Renderer

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")

KIND_NAMES: dict[str, Text] = {
    "complaint": Text("投诉信（致机构）", "Complaint to the provider"),
    "regulator": Text("投诉（致监管机构或公共渠道）", "Complaint to a regulator or public channel"),
    "hardship": Text("协商还款申请书", "Hardship / forbearance request"),
    "credit_dispute": Text("征信异议申请", "Credit report dispute"),
    "closure": Text("关闭服务及撤回授权申请", "Closure and consent withdrawal"),
    "refund": Text("退款及重复扣款争议", "Refund or duplicate-charge dispute"),
}


def kind_name(kind: str, lang: str) -> str:
    """The letter kind's name in ``lang`` ("zh", "zh_CN" or "en"); an unknown kind as it is."""
    names = KIND_NAMES.get(kind)
    if names is None:
        return kind
    return names.zh if lang.startswith("zh") else names.en


_TITLES: dict[str, Text] = {
    "complaint": Text("投诉书", "Formal complaint"),
    "regulator": Text("投诉书", "Complaint"),
    "hardship": Text("协商还款申请书", "Request for help with repayments"),
    "credit_dispute": Text("征信异议申请书", "Credit report dispute"),
    "closure": Text("关闭服务及撤回授权申请书", "Request to close my account and withdraw consent"),
    "refund": Text("退款申请书", "Disputed charge and refund request"),
}


@dataclass(frozen=True)
class Composed:
    kind: str
    jurisdiction: str
    lang: str  # "zh" | "en"
    title: str
    text: str
    recipient: str
    channel_id: str  # "provider", a catalog channel id, or "credit_bureau"
    deadline: DeadlineRule | None
    statutes: tuple[Statute, ...]
    missing_fields: tuple[str, ...]
    escalate_to: str | None
    unverified: tuple[str, ...]  # ids of statutes, deadlines or catalog facts marked verify


def lang_code(lang: str) -> str:
    return "zh" if lang.lower().replace("-", "_").startswith("zh") else "en"


def fmt_date(d: date, lang: str) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _recipient(kind: str, jurisdiction: str, provider: Provider, catalog: Catalog, legal: Legal, lang: str,
               channel: str | None) -> tuple[str, str, str, bool]:
    """(channel id, recipient name, contact, verify)."""
    rule = legal.kind_rule(kind, jurisdiction)
    if kind == "regulator":
        steps = [s for s in catalog.route(provider.id, jurisdiction) if s != PROVIDER_STEP]
        known = set(steps) | set(legal.jurisdiction(jurisdiction).channels)
        if channel is not None and channel not in known:
            raise InvalidInput(N_("{channel} is not a channel in {jurisdiction} for {provider}."), channel=channel,
                               jurisdiction=jurisdiction, provider=provider.name(current_language()))
        if channel is None and not steps:
            raise InvalidInput(N_("The catalog names no regulator in {jurisdiction} for {provider}."),
                               jurisdiction=jurisdiction, provider=provider.name(current_language()))
        ch = catalog.channel(channel or steps[0])
        return ch.id, ch.name(lang), ch.contact_for(lang), ch.verify
    if kind == "credit_dispute" and rule.recipient is not None:
        return "credit_bureau", rule.recipient.get(lang), "", False
    own = provider.complaint_channels[0]
    name = provider.lending_entity or provider.operator
    return PROVIDER_STEP, name, own.contact_for(lang), provider.lending_entity_verify


def compose(kind: str, jurisdiction: str, lang: str, facts: LetterFacts, provider: Provider, catalog: Catalog,
            legal: Legal, renderer: Renderer, today: date, channel: str | None = None) -> Composed:
    if kind not in KINDS:
        raise InvalidInput(N_("The letter kind must be one of {kinds}, not {kind}."), kinds=", ".join(KINDS), kind=kind)
    lang = lang_code(lang)
    juris = legal.jurisdiction(jurisdiction)
    if jurisdiction not in provider.jurisdictions:
        raise InvalidInput(N_("{provider} does not operate in {jurisdiction} (it does in {jurisdictions})."),
                           provider=provider.name(current_language()), jurisdiction=jurisdiction,
                           jurisdictions=", ".join(provider.jurisdictions))
    rule = legal.kind_rule(kind, jurisdiction)
    channel_id, recipient, contact, recipient_verify = _recipient(kind, jurisdiction, provider, catalog, legal,
                                                                  lang, channel)
    statute_ids = list(rule.statutes)
    deadline_id = rule.deadline
    if kind == "regulator" and channel_id in juris.channels:
        ch_rule = juris.channels[channel_id]
        statute_ids = list(dict.fromkeys([*ch_rule.statutes, *statute_ids]))
        deadline_id = ch_rule.deadline
    statutes = tuple(s for s in (legal.statutes[i] for i in statute_ids) if s.applies(today))
    deadline = legal.deadline(deadline_id) if deadline_id else None
    ctx = _context(kind, jurisdiction, lang, facts, provider, catalog, today, statutes, deadline)
    ctx.update(recipient_name=recipient, recipient_contact=contact, channel_id=channel_id,
               national_law_needed=rule.national_law and not any(s.id.startswith("eu_ccd2") for s in statutes),
               transposed=rule.national_law)
    if channel_id != PROVIDER_STEP and kind == "regulator":
        ctx["channel_name"] = recipient
    title = _TITLES[kind].get(lang)
    ctx["title"] = title
    rendered = renderer.render(f"{kind}.{lang}.j2", ctx, lang)
    unverified = [s.id for s in statutes if s.verify]
    if deadline is not None and deadline.verify:
        unverified.append(deadline.id)
    if recipient_verify:
        unverified.append(f"catalog:{provider.id if channel_id == PROVIDER_STEP else channel_id}")
    if kind == "closure" and provider.how_to_close_verify:
        unverified.append(f"catalog:{provider.id}.how_to_close")
    return Composed(kind, jurisdiction, lang, f"{title} — {provider.name(lang)}", rendered.text, recipient,
                    channel_id, deadline, statutes, rendered.missing_fields, rule.escalate_to, tuple(unverified))


def _context(kind: str, jurisdiction: str, lang: str, facts: LetterFacts, provider: Provider, catalog: Catalog,
             today: date, statutes: tuple[Statute, ...], deadline: DeadlineRule | None) -> dict[str, Any]:
    a = facts.amounts

    def d(v: date | None) -> str | None:
        return None if v is None else fmt_date(v, lang)

    user = {k: v.strip() for k, v in facts.user.items() if v and v.strip()}
    ctx: dict[str, Any] = {
        "lang": lang, "jurisdiction": jurisdiction, "kind": kind, "letter_date": fmt_date(today, lang),
        "user_name": user.get("name"), "user_address": user.get("address"), "user_phone": user.get("phone"),
        "user_email": user.get("email"),
        "user_id_masked": mask_id(user["id_number"]) if user.get("id_number") else None,
        "provider_name": provider.name(lang),
        # an English letter about a Chinese product also names it as the provider does
        "provider_name_zh": LATIN_NOTE.sub("", provider.name("zh")) if lang == "en" and "CN" in provider.jurisdictions
        and provider.name("zh") != provider.name("en") else None,
        "operator": provider.operator, "lender": provider.lending_entity,
        # the user's own label, unless it is just the product's name (in either language)
        "account_label": None if provider.names_only(facts.account_label) else facts.account_label,
        "account_ref": facts.account_ref or None,
        "timeline": [{"date": d(e.on) or "", "text": e.text.get(lang)} for e in facts.timeline],
        "evidence": [{"id": e.id, "name": e.name, "sha256": e.sha256} for e in facts.evidence],
        "statutes": [{"cite": s.short.get(lang) + (("" if lang == "zh" else " ") + s.article.get(lang)
                                                  if s.article else ""), "says": s.says.get(lang)}
                     for s in statutes],
        "closing_steps": provider.how_to_close.get(lang),
        # what the vault's plans say is owed; without plans, the latest statement's balance
        "outstanding": a.outstanding.format() if a.outstanding else (
            a.statement_total.format() if a.statement_total is not None else None),
        "statement_total": a.statement_total.format() if a.statement_total is not None else None,
        "statement_minimum": a.statement_minimum.format() if a.statement_minimum else None,
        "statement_due": d(a.statement_due), "statement_end": d(a.statement_end),
        "overdue": a.overdue.format() if a.overdue else None,
        "open_installments": a.open_installments or None, "next_due": d(a.next_due),
        "next_due_amount": a.next_due_amount.format() if a.next_due_amount else None,
        "plans": a.plans or None, "principal": a.principal.format() if a.principal else None,
        "fees": a.fees.format() if a.fees and not a.fees.is_zero() else None,
        "bnpl_count": a.bnpl_count or None, "bnpl_total": a.bnpl_total.format() if a.bnpl_total else None,
        "first_bnpl": d(a.first_bnpl), "last_bnpl": d(a.last_bnpl),
    }
    if deadline is not None:
        ctx["deadline_text"] = deadline.period.text(lang)
        ctx["deadline_statutory"] = deadline.basis == "statute"
        ctx["deadline_says"] = deadline.says.get(lang)
        if deadline.then is not None:
            ctx["then_text"] = deadline.then.text(lang)
    steps = [s for s in catalog.route(provider.id, jurisdiction) if s != PROVIDER_STEP]
    if steps:
        ctx["escalation_name"] = catalog.channel(steps[0]).name(lang)
    f = facts.finding
    if f is not None:
        statement = finding_statement(f.kind, provider.name(lang), d(f.first_seen) or "", lang)
        ctx.update(finding_kind=f.kind, finding_explanation=statement,
                   finding_first_seen=d(f.first_seen),
                   finding_rows=[{"date": d(r.on), "merchant": r.merchant, "amount": r.amount.format()}
                                 for r in f.rows])
        if f.kind == "duplicate_charge" and f.rows:
            ctx.update(disputed_amount=f.rows[-1].amount.format(), disputed_date=d(f.rows[-1].on),
                       merchant=f.rows[-1].merchant)
    for key, value in _extra(facts.extra).items():
        if ctx.get(key) is None:
            ctx[key] = value
    return ctx


def _extra(extra: Mapping[str, str]) -> dict[str, str]:
    return {k: v.strip() for k, v in extra.items() if k.isidentifier() and v.strip()}


# What a finding means, said by the consumer to the recipient (the app's own explanations speak to the user and
# never go into a letter).
_STATEMENTS: dict[str, tuple[str, str]] = {
    "unconsented_enrollment": ("{date}，{product}首次被用于付款。本人在此之前从未同意开通该产品。",
                               "On {date}, {product} was used for a payment for the first time. I had not agreed "
                               "to open this product before that date."),
    "reenabled_after_closure": ("本人已关闭{product}，但自{date}起该产品仍被用于付款。",
                                "I had closed {product}, yet it was used for payments again from {date}."),
    "default_switch": ("{date}，结账时的支付方式在本人未主动选择的情况下变为{product}。",
                       "On {date}, the payment method at checkout became {product} without my active choice."),
    "bundled_fee": ("自{date}起，本人的分期中包含未向本人明确说明的费用。",
                    "From {date}, my installment plan included fees that were not clearly disclosed to me."),
    "fee_charged": ("{date}，本人被收取了未向本人明确说明的费用。",
                    "On {date}, I was charged a fee that had not been clearly disclosed to me."),
    "cost_above_threshold": ("自{date}起，本人的分期按实际现金流计算的年化成本高于法定参考线。",
                             "From {date}, the annualised cost of my plan, counted on its actual cash flows, "
                             "exceeds the legal reference lines."),
    "duplicate_charge": ("{date}，同一商户的同一金额被重复扣款，本人只进行了一次消费。",
                         "On {date}, the same amount was charged twice by the same merchant; I made one purchase."),
    "unknown_provider_charge": ("自{date}起出现本人从未开通的{product}扣款。",
                                "From {date}, charges appeared from {product}, which I never opened."),
}


def finding_statement(kind: str, product: str, day: str, lang: str) -> str:
    zh, en = _STATEMENTS.get(kind, ("{date}，与本事项有关的情况见下列记录。",
                                    "On {date}, the matter below began; the records follow."))
    return (zh if lang == "zh" else en).format(product=product, date=day)
