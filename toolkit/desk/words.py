"""Every word the desk shows, Chinese and English side by side (read through :func:`toolkit.i18n.t`)."""

from __future__ import annotations

from ..i18n import CATALOGUE, define, t

__all__ = ["word", "carrier_label"]

define("desk", {
    "desk": ("考核工作台", "Assessment desk"),
    "overview": ("总览", "Overview"),
    "units": ("单位", "Units"),
    "upload": ("收取报送", "Upload"),
    "review": ("人工确认", "Review"),
    "results": ("汇总结果", "Results"),
    "sign_out": ("退出", "Sign out"),
    "sign_in": ("登录", "Sign in"),
    "password": ("密码", "Password"),
    "wrong_password": ("密码不正确", "Wrong password"),
    "sign_in_note": ("此工作台需要密码（首次启动时设置）。", "This desk needs the password set when it was first started."),
    "state.accepted": ("已报送", "Accepted"),
    "state.faulty": ("需退回修改", "Faulty"),
    "state.review": ("待人工确认", "Under review"),
    "state.unusable": ("文件无法使用", "Unusable"),
    "state.missing": ("未报送", "Missing"),
    "late": ("逾期报送", "Late"),
    "all_units": ("全部单位", "All units"),
    "deadline": ("截止日期", "Deadline"),
    "days_left": ("距截止还有 {n} 天", "{n} days to the deadline"),
    "today_deadline": ("今天截止", "The deadline is today"),
    "days_over": ("已超过截止日期 {n} 天", "{n} days past the deadline"),
    "no_deadline": ("未设截止日期", "No deadline set"),
    "by_group": ("按分组", "By group"),
    "group": ("分组", "Group"),
    "all_groups": ("全部分组", "All groups"),
    "all_states": ("全部状态", "All states"),
    "count_units": ("单位数", "Units"),
    "chase_file": ("催报名单.xlsx", "chase-list.xlsx"),
    "chase_list": ("下载催报名单", "Download the chase list"),
    "chase_hint": ("未报送、文件无法使用、待确认、需退回修改及逾期报送的单位，附联系人和电话。", "Every unit to chase, with its contact and phone."),
    "unit_code": ("单位代码", "Unit code"),
    "unit_name": ("单位名称", "Unit"),
    "contact": ("联系人", "Contact"),
    "phone": ("电话", "Phone"),
    "state": ("状态", "State"),
    "errors": ("错误", "Errors"),
    "warnings": ("提示", "Warnings"),
    "why": ("原因", "Why"),
    "search": ("搜索单位代码、名称、联系人", "Search code, name, contact"),
    "filter": ("筛选", "Filter"),
    "shown": ("显示 {n} / {total} 个单位", "{n} of {total} units"),
    "no_units": ("没有符合条件的单位", "No unit matches"),
    "files_received": ("收到的文件", "Files received"),
    "no_files": ("尚未收到此单位的文件", "Nothing received from this unit yet"),
    "file": ("文件", "File"),
    "received_at": ("收到时间", "Received"),
    "ledger_status": ("台账状态", "Ledger status"),
    "issues": ("问题", "Issues"),
    "no_issues": ("没有问题", "No issues"),
    "sheet": ("工作表", "Sheet"),
    "cell": ("单元格", "Cell"),
    "field": ("项目", "Field"),
    "value": ("值", "Value"),
    "severity": ("级别", "Severity"),
    "message": ("说明", "Message"),
    "error": ("错误", "error"),
    "warning": ("提示", "warning"),
    "feedback": ("退回修改通知", "Feedback workbook"),
    "download_feedback": ("下载退回修改工作簿", "Download the feedback workbook"),
    "no_feedback": ("无需退回修改", "No feedback workbook (nothing to correct)"),
    "values": ("填报内容", "Values"),
    "no_values": ("尚无已接收的报送", "No accepted return yet"),
    "row": ("行", "Row"),
    "back_units": ("返回单位列表", "Back to the units"),
    "upload_title": ("收取报送文件", "Take in returned files"),
    "upload_hint": ("把报送的 Excel 文件、文件夹或 zip 压缩包拖到这里，或点击选择。每个文件都会保存原件、识别单位并检查。",
                    "Drop returned workbooks, folders or zip archives here, or click to choose. Every file is kept as it came, identified and "
                    "checked."),
    "choose_files": ("选择文件", "Choose files"),
    "choose_folder": ("选择文件夹", "Choose a folder"),
    "send": ("开始收取", "Take them in"),
    "sending": ("正在上传…", "Uploading…"),
    "stage.queued": ("排队中…", "Queued…"),
    "stage.waiting": ("另一个 toolkit 命令正在处理此考核任务，等待它结束…",
                      "Another toolkit command is working on this campaign; waiting for it to finish…"),
    "stage.busy": ("正在进行另一项处理，此项将在其后进行，不会混在一起。",
                   "Another job is running; this one waits for it and never mixes with it."),
    "stage.collect": ("收取、识别中…", "Collecting and identifying…"),
    "stage.validate": ("检查中…", "Validating…"),
    "stage.merge": ("汇总中…", "Merging…"),
    "stage.score": ("评分中…", "Scoring…"),
    "stage.report": ("生成报告…", "Writing the report…"),
    "stage.running": ("处理中…", "Working…"),
    "stage.done": ("已完成", "Done"),
    "stage.failed": ("未完成", "Failed"),
    "became": ("各文件的处理结果", "What each file became"),
    "refused": ("未收取", "Not taken"),
    "too_large": ("文件超过 {mb} MB，未收取；请压缩图片后重新保存", "Larger than {mb} MB, not taken; save it smaller"),
    "upload_total": ("一次上传总量不能超过 {mb} MB；请分批上传", "An upload may hold at most {mb} MB; send it in parts"),
    "nothing_sent": ("没有选择文件", "No file chosen"),
    "review_title": ("待人工确认的文件", "Files waiting for a person"),
    "review_none": ("没有待确认的文件", "Nothing waits for review"),
    "carriers": ("文件中的身份标记", "What the file's carriers say"),
    "carrier": ("标记", "Carrier"),
    "says": ("内容", "Says"),
    "no_carriers": ("文件中没有可识别的身份标记", "The file carries no identity"),
    "credit_to": ("归入单位", "Credit to unit"),
    "credit": ("确认归入", "Credit"),
    "reject": ("退回", "Reject"),
    "reason": ("理由", "Reason"),
    "reason_needed": ("退回时请填写理由", "Give a reason to reject"),
    "force": ("文件标记指向其他单位，仍然归入", "Credit it although its carriers name another unit"),
    "contradicts": ("文件中的标记指向 {named}，不是 {unit}；请核实文件，或勾选“仍然归入”",
                    "The file's carriers name {named}, not {unit}; check the file, or tick the box to credit it anyway"),
    "other_campaign": ("文件中的标记表明它属于另一个考核任务；请核实，或勾选“仍然归入”",
                       "The file's carriers say it was issued for another campaign; check it, or tick the box"),
    "choose_unit": ("请选择单位", "Choose a unit"),
    "suggested": ("文件标记指向的单位", "Named by the file"),
    "recorded": ("已记录", "Recorded"),
    "results_title": ("汇总、评分与报告", "Merge, score and report"),
    "run_results": ("汇总、评分并生成报告", "Merge, score and write the report"),
    "results_hint": ("按已接收的报送重新生成汇总表、评分表和考核报告。",
                     "Rebuilds the consolidated workbook, the scores and the report from the accepted returns."),
    "downloads": ("下载", "Downloads"),
    "view_report": ("查看考核报告", "View the report"),
    "not_yet": ("尚未生成", "Not written yet"),
    "size": ("大小", "Size"),
    "written_at": ("生成时间", "Written"),
    "busy": ("正在处理另一项任务，您的请求已排队", "Another job is running; yours is queued"),
    "csrf": ("页面已过期，请刷新后重试", "The page has expired; reload it and try again"),
    "not_found": ("没有这个页面或文件", "No such page or file"),
    "sha": ("文件指纹", "sha256"),
    "status.accepted": ("已接收", "accepted"),
    "status.superseded": ("已被更新取代", "superseded"),
    "status.duplicate": ("重复", "duplicate"),
    "status.rejected": ("已拒收", "rejected"),
    "status.unidentified": ("无法识别", "unidentified"),
    "status.review": ("待人工确认", "review"),
    "campaign_year": ("{year} 年度", "{year}"),
    "needs_password": ("--host {host}：在局域网上开放工作台需要设置至少 {n} 位的密码（启动时输入，或设置环境变量 TOOLKIT_DESK_PASSWORD）",
                       "--host {host}: the desk on the network needs a password of at least {n} characters (set it now, or in "
                       "TOOLKIT_DESK_PASSWORD)"),
})


def word(key: str, lang: str, **values) -> str:
    """The desk's word *key* in *lang* (a key the desk has no word for is shown as it is)."""
    full = f"desk.{key}"
    return t(full, lang, **values) if full in CATALOGUE else key


define("desk.carriers", {
    "of_unit": ("单位 · {carrier}", "unit · {carrier}"),
    "props": ("文档属性", "document properties"),
    "meta": ("隐藏的 _meta 表", "hidden _meta sheet"),
    "code_line": ("表内代码行", "code line on a sheet"),
    "code_cell": ("单位代码单元格", "unit code cell"),
    "name_cell": ("单位名称单元格", "unit name cell"),
    "filename": ("文件名", "file name"),
    "fingerprint": ("结构指纹相似度", "structure fingerprint"),
    "campaign.name": ("考核任务名称", "campaign name"),
    "campaign.year": ("考核年度", "campaign year"),
    "campaign.round": ("考核轮次", "campaign round"),
})


def carrier_label(key: str, lang: str) -> str:
    """A carrier key as words: unit.code_line1 → 单位 · 表内代码行 2."""
    unit, rest = key.startswith("unit."), key.removeprefix("unit.")
    base, n = rest.rstrip("0123456789"), rest[len(rest.rstrip("0123456789")):]
    exact = f"desk.carriers.{rest}" in CATALOGUE
    if not exact and f"desk.carriers.{base}" not in CATALOGUE:
        return key
    text = t(f"desk.carriers.{rest if exact else base}", lang)
    if n and not exact:
        text += f" {int(n) + 1}"
    return t("desk.carriers.of_unit", lang, carrier=text) if unit else text
