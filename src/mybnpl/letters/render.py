"""Render letter templates (Jinja2, sandboxed, plain text) with visible placeholders for missing facts.

A template names facts as plain variables (``{{ user_name }}``). A fact the vault does not have is simply absent
from the context; printing it yields a placeholder — 【请填写：姓名】 or [FILL IN: your full name] — and its name
is listed in :attr:`Rendered.missing_fields`. Nothing is ever made up. ``{% if fact %}`` tests whether a fact is
known (optional passages); an absent fact compares unequal to everything. Iterating, indexing or calling an
absent name is a template bug and raises, as does attribute access on it, so typos do not pass silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from jinja2 import DictLoader, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mybnpl.core.catalog import Text

_MARK = "\x00"
_MARK_RE = re.compile("\x00([^\x00]*)\x00")

# What to ask the user for, per fact name; names not listed here appear as they are.
LABELS: dict[str, Text] = {
    "user_name": Text("您的姓名", "your full name"),
    "user_address": Text("您的联系地址", "your postal address"),
    "user_phone": Text("您的联系电话", "your phone number"),
    "user_email": Text("您的电子邮箱", "your e-mail address"),
    "user_id_masked": Text("身份证号（可只写后四位）", "your ID number (the last four digits are enough)"),
    "lender": Text("放款机构全称（见借款合同）", "the lender's legal name (see the credit agreement)"),
    "account_ref": Text("账户号或合同编号", "your account or agreement number"),
    "contract_number": Text("借款合同编号", "the credit agreement number"),
    "order_number": Text("订单号", "the order number"),
    "disputed_amount": Text("争议金额", "the disputed amount"),
    "disputed_date": Text("扣款日期", "the date of the charge"),
    "merchant": Text("商户名称", "the merchant"),
    "refund_reason": Text("退款理由（如未收到商品、已退货、重复扣款）",
                          "why the money is owed back (not delivered, returned, charged twice)"),
    "outstanding": Text("尚欠金额", "the amount still owed"),
    "hardship_cause": Text("困难原因（如失业、疾病、收入下降）及发生时间",
                           "what caused the difficulty (job loss, illness, lower income) and since when"),
    "hardship_proof": Text("困难证明材料（如解除劳动合同证明、诊断证明、收入流水）",
                           "proof of the difficulty (termination letter, medical certificate, bank statements)"),
    "plan_periods": Text("拟分期数", "the number of monthly payments you propose"),
    "plan_amount": Text("每期还款金额", "the amount you can pay each month"),
    "plan_first_payment": Text("首期还款金额", "your first payment"),
    "plan_start": Text("首期还款日期", "the date of your first payment"),
    "disputed_record": Text("有争议的征信记录（机构、日期、记录类型）",
                            "the disputed credit record (lender, date, type of entry)"),
    "national_law": Text("适用的本国消费信贷法律", "the national consumer-credit law that applies"),
    "complaint_ref": Text("此前投诉的编号及日期", "the reference and date of your earlier complaint"),
    "request": Text("您的具体请求", "what you want the provider to do"),
    "facts": Text("事情经过（时间、地点、经过）", "what happened, with dates"),
    "legal_basis": Text("投诉依据（如合同条款、法规）", "the rule or contract term you rely on"),
    "respondent_address": Text("被投诉人地址", "the firm's address"),
    "dispute_reason": Text("异议理由（如信息错误、非本人办理、未经本人授权查询）",
                           "why it is wrong (not my account, wrong amount, searched without my consent)"),
    "closing_attempt": Text("按上述方式关闭时的结果（日期、是否成功）",
                            "what happened when you followed those steps (date, result)"),
    "final_response_date": Text("最终答复日期（如有）", "the date of the final response, if you received one"),
}


def placeholder(name: str, lang: str) -> str:
    label = LABELS[name].get(lang) if name in LABELS else name
    return f"【请填写：{label}】" if lang.startswith("zh") else f"[FILL IN: {label}]"


class _Missing(Undefined):
    """Prints a marker the renderer turns into a placeholder; everything else fails like StrictUndefined."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{_MARK}{self._undefined_name or '?'}{_MARK}"

    def __bool__(self) -> bool:
        return False

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._fail_with_undefined_error()

    __iter__ = __len__ = __getitem__ = __getattr__ = _fail
    __add__ = __radd__ = __mul__ = __call__ = __lt__ = __gt__ = _fail


@dataclass(frozen=True)
class Rendered:
    text: str
    missing_fields: tuple[str, ...]


class Renderer:
    """Templates by name (``complaint.zh.j2`` …), rendered in a sandbox with autoescape off (plain text)."""

    def __init__(self, templates: Mapping[str, str]) -> None:
        self._env = ImmutableSandboxedEnvironment(
            loader=DictLoader(dict(templates)), undefined=_Missing, autoescape=False, trim_blocks=True,
            lstrip_blocks=True, keep_trailing_newline=True)

    def names(self) -> list[str]:
        return sorted(self._env.list_templates())

    def render(self, name: str, context: Mapping[str, Any], lang: str) -> Rendered:
        raw = self._env.get_template(name).render(**{k: v for k, v in context.items() if v is not None})
        missing: list[str] = []

        def fill(m: re.Match[str]) -> str:
            if m.group(1) not in missing:
                missing.append(m.group(1))
            return placeholder(m.group(1), lang)

        text = _MARK_RE.sub(fill, raw)
        text = re.sub(r"[ \t]+\n", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        return Rendered(text, tuple(missing))
