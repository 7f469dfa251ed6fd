"""Synthetic Alipay 支付宝交易明细 exports (the 2023+ layout, GBK) for tests and benchmarks.

``make_alipay_csv(n)`` is deterministic: row ``i`` is paid with a 花呗 variant when ``i % 5`` is 0 or 2 (40 %),
and cycles through 支出 / 收入 / 不计收支 and a few statuses, like a real export. Every fourth row is space-padded
the way the app pads its columns; IDs end in a TAB.
"""

from __future__ import annotations

from datetime import datetime, timedelta

HEADER = ("交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额", "收/付款方式", "交易状态",
          "交易订单号", "商家订单号", "备注")
HUABEI = ("花呗", "花呗分期", "花呗&红包", "账户余额&花呗")
OTHER = ("余额宝", "招商银行(9876)", "余额")
FLOWS = ("支出", "支出", "支出", "收入", "不计收支")
STATUSES = ("交易成功", "交易成功", "交易成功", "等待确认收货", "交易关闭", "退款成功")
START = datetime(2023, 1, 1, 8, 0, 0)
STEP = timedelta(minutes=5)


def is_huabei(i: int) -> bool:
    return i % 5 in (0, 2)


def amount_minor(i: int) -> int:
    return 100 + (i * 7919) % 99_900  # 1.00 … 999.99


def make_alipay_csv(n: int) -> bytes:
    last = START + STEP * max(n - 1, 0)
    pre = [
        "------------------------------------------------------------------------------------",
        "导出信息：", "姓名：合成", "支付宝账户：synth***@example.com",
        f"起始时间：[{START:%Y-%m-%d} 00:00:00]    终止时间：[{last:%Y-%m-%d} 23:59:59]",
        "导出交易类型：[全部]", f"导出时间：[{last:%Y-%m-%d} 23:59:59]", f"共{n}笔记录",
        "收入：0笔 0.00元", "支出：0笔 0.00元", "不计收支：0笔 0.00元", "", "特别提示：",
        *(f"{k}.本明细为合成数据，仅用于测试；" for k in range(1, 10)), "",
        "------------------------支付宝（中国）网络技术有限公司  电子客户回单------------------------",
        ",".join(h.ljust(20) for h in HEADER) + ",",
    ]
    lines = pre
    for i in range(n):
        when = START + STEP * i
        method = HUABEI[i % len(HUABEI)] if is_huabei(i) else OTHER[i % len(OTHER)]
        minor = amount_minor(i)
        cells = [f"{when:%Y-%m-%d %H:%M:%S}", "日用百货", f"商户{i % 997}", "/", f"商品{i}", FLOWS[i % len(FLOWS)],
                 f"{minor // 100}.{minor % 100:02d}", method, STATUSES[i % len(STATUSES)],
                 f"2023{i:018d}\t", f"T{i:012d}\t", ""]
        if i % 4 == 0:
            cells = [c.ljust(20) for c in cells]
        lines.append(",".join(cells) + ",")
    return ("\n".join(lines) + "\n").encode("gb18030")
