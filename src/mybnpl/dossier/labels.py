"""The dossier's own words in Chinese and English (the body follows the dossier's language, not the UI's)."""

from __future__ import annotations

_L: dict[str, tuple[str, str]] = {
    "title": ("投诉案卷", "Complaint dossier"),
    "complainant": ("投诉人", "Complainant"),
    "respondent": ("被投诉机构（法律主体）", "Respondent (legal entity)"),
    "regulator": ("监管机构或投诉渠道", "Regulator or channel"),
    "case_ref": ("案件编号", "Case reference"),
    "prepared": ("制作日期", "Prepared on"),
    "jurisdiction": ("法域", "Jurisdiction"),
    "integrity": ("完整性", "Integrity"),
    "integrity_text": ("本案卷附带全部证据原件及签名清单（manifest.json），核验方法见“核验”一节。清单 SHA-256：",
                       "The original evidence files and a signed manifest (manifest.json) are attached to this "
                       "PDF; see the Verification section. Manifest SHA-256:"),
    "summary": ("一、概要与请求", "1. Summary and requests"),
    "requests": ("请求事项", "Requests"),
    "timeline": ("二、事件时间线", "2. Timeline"),
    "date": ("日期", "Date"),
    "event": ("事件", "Event"),
    "source": ("来源", "Source"),
    "accounts": ("三、账户、分期计划与还款", "3. Accounts, plans and installments"),
    "account": ("账户", "Account"),
    "lender": ("放款主体", "Lender"),
    "reference": ("账户编号", "Account reference"),
    "currency": ("币种", "Currency"),
    "plan": ("分期计划", "Plan"),
    "merchant": ("商户", "Merchant"),
    "total": ("本金", "Principal"),
    "fee": ("费用", "Fee"),
    "cadence": ("周期", "Cadence"),
    "seq": ("期数", "No."),
    "due": ("到期日", "Due"),
    "amount": ("金额", "Amount"),
    "status": ("状态", "Status"),
    "paid_on": ("还款日", "Paid on"),
    "no_plans": ("无分期计划记录。", "No plans on record."),
    "findings": ("四、发现的问题及说明", "4. Findings and their explanations"),
    "finding": ("问题", "Finding"),
    "no_findings": ("无。", "None."),
    "evidence_ids": ("所依据的证据", "Evidence relied on"),
    "letters": ("五、已发信函及回复", "5. Letters sent and replies"),
    "letter": ("信函", "Letter"),
    "recipient": ("收件方", "Recipient"),
    "sent": ("寄出", "Sent"),
    "channel_ref": ("方式 / 编号", "How / reference"),
    "deadline": ("答复期限", "Answer deadline"),
    "replies": ("回复", "Replies"),
    "no_letters": ("尚未发出信函。", "No letters yet."),
    "draft": ("草稿（未寄出）", "draft (not sent)"),
    "met": ("已在期限内答复", "answered in time"),
    "missed": ("逾期未答复", "deadline missed"),
    "late": ("逾期后答复", "answered late"),
    "running": ("期限未届满", "deadline not yet reached"),
    "none": ("—", "—"),
    "evidence_index": ("六、证据目录", "6. Evidence index"),
    "id": ("编号", "ID"),
    "description": ("说明", "Description"),
    "added_at": ("存入时间", "Added at"),
    "size": ("大小", "Size"),
    "verification": ("七、核验", "7. Verification"),
    "verify_intro": (
        "每份证据原件均以附件形式嵌入本 PDF，未经任何修改；manifest.json 记录每件证据的 SHA-256 及其说明，"
        "并由投诉人的 Ed25519 密钥签名（签名文件 manifest.json.sig）。任何人均可用通用工具核验：",
        "Every original evidence file is attached to this PDF, unmodified. manifest.json lists each item's "
        "SHA-256 and details and is signed with the complainant's Ed25519 key (signature in manifest.json.sig). "
        "Anyone can check them with standard tools:"),
    "scope_note": (
        "签名覆盖嵌入的证据原件和卷宗内容（dossier-content.json，即各页所印的数据），不覆盖页面的绘制方式。"
        "如需确认收到的正是投诉人导出的文件，请向投诉人核对整个文件的 SHA-256。",
        "The signature covers the attached originals and the dossier's content (dossier-content.json, the data the "
        "pages print), not how the pages are drawn. To be sure you hold the very file the complainant exported, "
        "confirm the whole file's SHA-256 with them."),
    "public_key": ("签名公钥", "Signing public key"),
    "fingerprint": ("公钥指纹（SHA-256）", "Key fingerprint (SHA-256)"),
    "fingerprint_note": (
        "签名只能证明清单自签名后未被改动。请通过其他途径（如电话、信函）向投诉人核对上述指纹。",
        "A signature only proves the manifest is unchanged since it was signed. Confirm the fingerprint above "
        "with the complainant by another route (phone, letter)."),
    "step1": ("1. 取出附件（poppler-utils；或 PDF 阅读器的附件面板）：", "1. Save the attachments (poppler-utils; "
              "or the attachments pane of a PDF reader):"),
    "step2": ("2. 计算各文件的 SHA-256，与证据目录及 manifest.json 比对：",
              "2. Hash each file and compare with the evidence index and manifest.json:"),
    "step3": ("3. 核验清单签名（OpenSSL 3），应显示 “Signature Verified Successfully”：",
              "3. Check the manifest's signature (OpenSSL 3); it prints \"Signature Verified Successfully\":"),
    "step4": ("4. 核对公钥指纹（输出应与上述指纹相同，不含空格）：",
              "4. Check the key's fingerprint (the output is the fingerprint above, without spaces):"),
    "step5": ("5. 或使用 mybnpl：", "5. Or with mybnpl:"),
    "appendices": ("附录", "Appendices"),
    "app_images": ("附录 A：图片证据", "Appendix A: images"),
    "app_pdfs": ("附录 B：PDF 证据", "Appendix B: PDF documents"),
    "app_other": ("附录 C：其他文件", "Appendix C: other files"),
    "none_of_kind": ("无。", "None."),
    "page_of": ("第 {n} / {total} 页", "page {n} of {total}"),
    "not_merged": ("无法并入：{reason}。原件已作为附件嵌入。", "Could not be merged: {reason}. The original is "
                   "attached."),
    "not_shown": ("无法显示：{reason}。原件已作为附件嵌入。", "Could not be shown: {reason}. The original is "
                  "attached."),
    "scaled": ("（显示时缩小自 {w}×{h} 像素；原件已作为附件嵌入）", " (shown scaled down from {w}×{h} pixels; the "
               "original is attached)"),
    "attached_as": ("附件名", "Attached as"),
    "text_content": ("文件内容", "Content"),
    "info": ("提示", "info"), "warning": ("警告", "warning"), "serious": ("严重", "serious"),
    "open": ("待确认", "open"), "confirmed": ("已确认", "confirmed"), "dismissed": ("已驳回", "dismissed"),
    "paid": ("已还", "paid"), "waived": ("已免除", "waived"), "unpaid": ("未还", "unpaid"),
    "default_requests": ("请依据以下发现及所附证据调查处理；具体请求见第五节所列信函。",
                         "Please examine the findings below and the attached evidence; my specific requests are "
                         "set out in the letters listed in section 5."),
}


def label(key: str, lang: str, **params: object) -> str:
    zh, en = _L[key]
    text = zh if lang == "zh" else en
    return text.format(**params) if params else text


def size_text(n: int, lang: str) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


EVENT_KINDS: dict[str, tuple[str, str]] = {
    "account_added": ("添加账户", "account added"),
    "evidence_added": ("存入证据", "evidence added"),
    "case_opened": ("立案", "case opened"),
    "statement_imported": ("导入账单", "statement imported"),
    "statement_paid": ("账单已还", "statement paid"),
    "plan_added": ("记录分期计划", "plan recorded"),
    "installment_paid": ("分期已还", "installment paid"),
    "letter_drafted": ("起草信函", "letter drafted"),
    "letter_edited": ("修改信函", "letter edited"),
    "letter_sent": ("寄出信函", "letter sent"),
    "letter_reply": ("收到回复", "reply received"),
    "finding_open": ("问题待确认", "finding open"),
    "finding_confirmed": ("确认问题", "finding confirmed"),
    "finding_dismissed": ("驳回问题", "finding dismissed"),
    "consent_enabled": ("记录：本人开通", "record: enabled by me"),
    "consent_never_enabled": ("记录：从未开通", "record: never enabled"),
    "consent_closed": ("记录：已关闭", "record: closed"),
    "consent_changed": ("修改授权记录", "consent record changed"),
    "consent_removed": ("删除授权记录", "consent record removed"),
    "dossier_exported": ("导出案卷", "dossier exported"),
    "dossier_key_created": ("创建签名密钥", "signing key created"),
}
SOURCES: dict[str, tuple[str, str]] = {
    "event": ("事件日志", "event log"), "consent": ("授权记录", "consent record"), "letter": ("信函", "letter"),
    "evidence": ("证据", "evidence"), "installment": ("分期", "installment"),
    "statement": ("导入的账单", "imported statement"),
}
# Where an evidence item came from (evidence.source), as the index says it
EVIDENCE_SOURCES: dict[str, tuple[str, str]] = {
    "import": ("导入账单的原件", "original of an imported statement"), "user": ("本人添加", "added by the complainant"),
    "reply": ("收到的答复", "reply received"), "letter": ("信函", "letter"),
}


def evidence_source(source: str, lang: str) -> str:
    zh, en = EVIDENCE_SOURCES.get(source, (source, source))
    return zh if lang == "zh" else en


# Timeline lines the dossier writes itself: the facts a finding rests on, dated when they happened.
FACTS: dict[str, tuple[str, str]] = {
    "first_seen": ("{kind}（最早一次：{what}）", "{kind} (the first time: {what})"),
    "statement": ("导入账单 {name}（{n} 条记录）", "statement {name} imported ({n} rows)"),
    "by_import": ("（导入时自动添加）", " (added by an import)"),
    "exported": ("{name}（SHA-256 {sha}，{n} 项证据）", "{name} (SHA-256 {sha}, {n} evidence items)"),
}


def fact(key: str, lang: str, **params: object) -> str:
    zh, en = FACTS[key]
    return (zh if lang == "zh" else en).format(**params)


def colon(lang: str) -> str:
    """The colon after a label: full width in Chinese."""
    return "：" if lang == "zh" else ": "


def event_kind(kind: str, lang: str) -> str:
    zh, en = EVENT_KINDS.get(kind, (kind, kind))
    return zh if lang == "zh" else en


def source_name(key: str, lang: str) -> str:
    zh, en = SOURCES.get(key, (key, key))
    return zh if lang == "zh" else en


def summary_text(lang: str, *, product: str, lender: str, findings: int, confirmed: int, sent: int, missed: int,
                 evidence: int) -> str:
    if lang == "zh":
        return (f"本案卷涉及{product}（放款主体：{lender}）。共记录问题 {findings} 项，其中本人已确认 {confirmed} 项；"
                f"已发出信函 {sent} 封，其中 {missed} 封在答复期限届满后仍未获答复。所依据的证据共 {evidence} 件，"
                "原件均以附件形式嵌入本文件，并附签名清单供核验。")
    return (f"This dossier concerns {product} (lender: {lender}). It records {findings} finding(s), {confirmed} of "
            f"them confirmed by me; {sent} letter(s) were sent, {missed} of them still unanswered after the answer "
            f"deadline. It rests on {evidence} evidence item(s), each attached to this file in its original form "
            "with a signed manifest for verification.")
