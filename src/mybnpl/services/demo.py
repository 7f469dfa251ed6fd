"""A realistic bilingual demo data set, so a newcomer sees every screen alive.

``size="small"``: a few hundred rows over five providers; ``size="large"``: 100,000 transactions and
20,000 installments (for benchmarks). Deterministic for a given seed and ``today``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from mybnpl.core.catalog import Catalog
from mybnpl.core.models import Direction
from mybnpl.core.money import Money
from mybnpl.core.schedule import due_dates, split_plan
from mybnpl.services import findings
from mybnpl.vault import repos
from mybnpl.vault.db import Vault

_MERCHANTS_CN = ["美团外卖", "京东商城", "天猫超市", "拼多多", "滴滴出行", "瑞幸咖啡", "盒马鲜生", "抖音商城",
                 "饿了么", "携程旅行", "中国移动", "华为商城", "小米之家", "肯德基", "星巴克"]
_MERCHANTS_INT = ["ASOS", "Zalando", "H&M", "Nike", "IKEA", "Apple Store", "Uniqlo", "Sephora", "Argos",
                  "Amazon"]

# provider id, label, currency, payment-method text, BNPL share of purchases
_DEMO_ACCOUNTS = [
    ("huabei", "花呗 (Alipay)", "CNY", "花呗", 0.45),
    ("jd_baitiao", "京东白条", "CNY", "京东白条", 0.6),
    ("meituan_yuefu", "美团月付", "CNY", "美团月付", 0.5),
    ("klarna", "Klarna", "EUR", "Klarna Pay in 3", 0.7),
    ("afterpay", "Clearpay", "GBP", "Clearpay", 0.8),
]


def fill_demo(vault: Vault, catalog: Catalog, *, size: str = "small", today: date | None = None,
              seed: int = 20261123) -> dict[str, int]:
    """Fill ``vault`` with demo data in one transaction, then compute its findings. Returns counts."""
    if size not in ("small", "large"):
        raise ValueError("size must be small or large")
    today = today or date.today()
    rng = random.Random(seed)
    n_tx = 400 if size == "small" else 100_000
    n_plans = 24 if size == "small" else 5_000
    per_plan = 4
    with vault.transaction() as conn:
        accounts = []
        for provider_id, label, currency, method, share in _DEMO_ACCOUNTS:
            catalog.get(provider_id)
            acc_id = repos.insert_account(conn, provider_id, label, currency, account_ref=f"DEMO-{provider_id}")
            repos.append_event(conn, "account_added", f"{provider_id}: {label}", entity="account",
                               entity_id=acc_id, on_date=today - timedelta(days=400))
            accounts.append((acc_id, provider_id, currency, method, share))

        def tx_rows() -> object:
            for i in range(n_tx):
                acc_id, provider_id, currency, method, share = accounts[i % len(accounts)]
                merchants = _MERCHANTS_CN if currency == "CNY" else _MERCHANTS_INT
                posted = today - timedelta(days=rng.randrange(0, 730))
                bnpl = rng.random() < share
                minor = rng.randrange(500, 80_000)
                yield repos.NewTransaction(
                    posted_on=posted, amount=Money.from_minor(minor, currency), direction=Direction.OUT,
                    merchant=rng.choice(merchants), description="demo",
                    payment_method=method if bnpl else ("余额宝" if currency == "CNY" else "Debit card"),
                    bnpl_product=provider_id if bnpl else None, external_id=f"demo-{i:07d}", account_id=acc_id,
                )

        added_tx = repos.insert_transactions(conn, tx_rows())  # type: ignore[arg-type]
        n_inst = 0
        for p in range(n_plans):
            acc_id, provider_id, currency, _method, _share = accounts[p % len(accounts)]
            merchants = _MERCHANTS_CN if currency == "CNY" else _MERCHANTS_INT
            principal = Money.from_minor(rng.randrange(6_000, 300_000), currency)
            fee = Money.from_minor(rng.choice([0, 0, 0, 1_200, 2_500]), currency)
            first = today + timedelta(days=rng.randrange(-75, 45))
            cadence = "2w" if provider_id in ("klarna", "afterpay") else "1m"
            dates = due_dates(first, per_plan, cadence)
            amounts = split_plan(principal + fee, per_plan)
            plan_id = repos.insert_plan(conn, account_id=acc_id, merchant=rng.choice(merchants), principal=principal,
                                        fee=fee, first_due=first, cadence=cadence, due_dates=dates,
                                        amounts=amounts, source="demo")
            n_inst += per_plan
            paid = [(d.isoformat(), plan_id, i + 1) for i, d in enumerate(dates) if d < today - timedelta(days=3)
                    and rng.random() < 0.9]
            conn.executemany("UPDATE installments SET status = 'paid', paid_on = ? WHERE plan_id = ? AND seq = ?",
                             paid)
        conn.execute(
            "INSERT INTO consents(provider_id, kind, on_date, channel, note, created_at) VALUES "
            "('jd_baitiao', 'enabled', ?, '京东App', '自己开通 / enabled it myself', ?), "
            "('meituan_yuefu', 'never_enabled', NULL, '', '我从未开通美团月付 / I never enabled this', ?)",
            ((today - timedelta(days=500)).isoformat(), repos.now_iso(), repos.now_iso()),
        )
        repos.insert_evidence(conn, "【美团】您已成功开通美团月付，额度3000元。退订回T (demo SMS)".encode(),
                              media_type="text/plain", filename="sms-meituan.txt", source="user",
                              note="SMS received without asking / 未申请却收到的短信", account_id=accounts[2][0])
        repos.append_event(conn, "demo_filled", size)
    findings.recompute(vault, catalog, today)  # the demo's findings come from the real checks
    return {"accounts": len(accounts), "transactions": added_tx, "plans": n_plans, "installments": n_inst}
