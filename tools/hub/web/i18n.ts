// The page's words in English and Chinese. The language is the `lang` cookie,
// else the browser's Accept-Language, else English. A missing Chinese string
// falls back to English (a test checks none is missing).
export const LANGS = ["en", "zh"] as const;
export type Lang = (typeof LANGS)[number];

const EN = {
  title: "optgate office",
  login: "Log in", logout: "Log out", username: "User name", password: "Password",
  loginFailed: "The user name or password is wrong.",
  loginThrottled: "Too many failed logins. Try again in {minutes} min.",
  residents: "Residents", audit: "Office log", search: "Search unit", searchButton: "Search",
  id: "Id", unit: "Unit", role: "Role", status: "Status", groups: "Groups", validFrom: "Valid from", validUntil: "Valid until",
  cards: "Cards", cardsHint: "Card numbers in hex (UID), separated by spaces or commas",
  pin: "PIN", pinSet: "set", pinNone: "none", pinReset: "Reset PIN",
  add: "Add resident", save: "Save", suspend: "Suspend", resume: "Resume",
  next: "Next page", previous: "First page", none: "None",
  forbidden: "Your role may not do this.", notFound: "Not found.", badForm: "The form was refused",
  count: "{count} residents", saved: "Saved.", at: "Time", who: "Who", action: "Action", detail: "Detail",
  language: "中文", signedInAs: "Signed in as {user} ({role})",
  owner: "owner", renter: "renter", staff: "staff", visitor: "visitor", courier: "courier",
  active: "active", suspended: "suspended",
  noCredential: "An active resident needs a card or a PIN (face is never the only way in).",
  skip: "Skip to content",
  gates: "Gates", gate: "Gate", name: "Name", online: "online", offline: "offline", connection: "Connection",
  desired: "Desired version", applied: "Applied version", lastAck: "Last acknowledgement", refused: "Last refusal",
  difference: "Difference from the desired state", missing: "missing at the gate", extra: "extra at the gate", different: "different at the gate",
  inventoryAt: "as the gate reported at version {version}", noInventory: "The gate has not reported what it holds yet.",
  clock: "Clock", clockOk: "{offset} against the hub at the last acknowledgement", clockOff: "{offset} against the hub at the last acknowledgement: check the gate's clock",
  gateAlarms: "Alarms in the gate's log, last 7 days",
  chains: "Audit chains", log: "Log", head: "Witnessed head", verified: "records verified", unverified: "records not all held",
  held: "Records held", alarms: "Alarms", noAlarms: "No alarms.", inSync: "in step",
  auditRecords: "Audit records", kind: "Kind", decision: "Decision", reason: "Reason", subject: "Resident", seq: "Seq",
  anyValue: "any", filter: "Filter", export: "Export with signed heads", from: "From", until: "Until",
  import: "Import CSV", exportCsv: "Export CSV", csvFile: "CSV file", check: "Check the file", apply: "Apply",
  importHelp: "Every row is checked before anything changes. Leave id empty for a new resident; pin is empty, \"set\" (keep) or \"reset\" (clear): PINs are never imported.",
  importRefused: "Nothing was changed: {count} problems.", line: "Line", problem: "Problem",
  importPlan: "{added} new residents and {changed} changed. Apply?", importDone: "Applied: {added} new residents, {changed} changed.",
  activity: "Activity", entriesPerHour: "Entries per hour of the day, last 7 days", entries: "entries", hour: "Hour",
  entriesTotal: "{count} entries in the last 7 days.", wayCard: "Card", wayPin: "PIN", wayCode: "Visitor code", wayFace: "Face", wayExit: "Exit button",
  erasureDelays: "Time from withdrawal to the last erasure", seconds: "seconds",
  users: "Office accounts", addUser: "Add account", disabled: "disabled", disable: "Disable", enable: "Enable",
  userExists: "That user name is taken.", notYourself: "You cannot disable your own account.",
  changePassword: "Change password", currentPassword: "Current password", newPassword: "New password (at least 12 characters)",
  report: "Compliance report", purpose: "Purpose",
  rCompound: "Compound",
  rGenerated: "Generated",
  rResidents: "Residents",
  rConsenting: "Consenting to face now",
  rCardOnly: "Card or PIN only (no consent)",
  rConsents: "Consents given",
  rWithdrawals: "Withdrawals",
  rErased: "Erasures done",
  rPending: "Erasures pending",
  rMedian: "Withdrawal to last erasure, median",
  rLongest: "Withdrawal to last erasure, longest",
  rRetention: "Erased by the retention rule",
  rHeld: "Templates held (gate: residents)",
  rHubHeld: "Templates held by the hub",
  rCamera: "Camera-on time",
  rHubNone: "none (the hub never receives one in clear)", rNotReported: "not reported by the gates yet",
  reportIntro: "Facts for a personal information impact assessment (PIPL art. 55-56) and GB/T 35273-2020 about face processing, from the gates' records.",
  purposeText: "Entry to the compound; face recognition is optional.",
  consent: "Consent register", consentingNow: "Residents who consent to face now", withdrawals: "Withdrawals",
  consentSummary: "{residents} residents: {consenting} consent to face now, {others} use card or PIN only; {withdrawals} withdrawals, {pending} erasures pending.",
  erasure: "Erasure", erasedAfter: "erased at gate {gate} after {delay}", pendingAt: "pending at gate {gate} ({state})", nothingHeld: "no template was held",
  lastErasure: "Withdrawal to last erasure", subjectReport: "Subject report", events: "Events", print: "Print",
  subjectIntro: "What the hub holds about this resident. The hub holds no face template and no PIN: only a PIN verifier (set or not) and the gates' records below.",
};
export type Key = keyof typeof EN;

const ZH: Partial<Record<Key, string>> = {
  title: "optgate 管理处",
  login: "登录", logout: "退出", username: "用户名", password: "密码",
  loginFailed: "用户名或密码错误。",
  loginThrottled: "登录失败次数过多，请 {minutes} 分钟后再试。",
  residents: "住户", audit: "管理日志", search: "搜索房号", searchButton: "搜索",
  id: "编号", unit: "房号", role: "身份", status: "状态", groups: "门组", validFrom: "生效日期", validUntil: "失效日期",
  cards: "门卡", cardsHint: "卡号（UID，十六进制），以空格或逗号分隔",
  pin: "密码锁", pinSet: "已设置", pinNone: "无", pinReset: "重置密码",
  add: "添加住户", save: "保存", suspend: "暂停", resume: "恢复",
  next: "下一页", previous: "第一页", none: "无",
  forbidden: "您的角色无权执行此操作。", notFound: "未找到。", badForm: "表单被拒绝",
  count: "共 {count} 位住户", saved: "已保存。", at: "时间", who: "操作人", action: "操作", detail: "详情",
  language: "English", signedInAs: "当前用户 {user}（{role}）",
  owner: "业主", renter: "租户", staff: "员工", visitor: "访客", courier: "快递员",
  active: "有效", suspended: "已暂停",
  noCredential: "有效住户须持有门卡或密码（人脸识别绝非唯一通行方式）。",
  skip: "跳到正文",
  gates: "门禁", gate: "门禁", name: "名称", online: "在线", offline: "离线", connection: "连接",
  desired: "目标版本", applied: "已应用版本", lastAck: "最近确认", refused: "最近拒绝",
  difference: "与目标状态的差异", missing: "门禁缺少", extra: "门禁多出", different: "门禁不一致",
  inventoryAt: "依据门禁在版本 {version} 的报告", noInventory: "门禁尚未报告其数据。",
  clock: "时钟", clockOk: "最近确认时与服务器相差 {offset}", clockOff: "最近确认时与服务器相差 {offset}：请检查门禁时钟",
  gateAlarms: "门禁日志中的告警（近 7 天）",
  chains: "审计链", log: "日志", head: "已见证链头", verified: "记录已核验", unverified: "记录未全部持有",
  held: "已持有记录", alarms: "告警", noAlarms: "无告警。", inSync: "一致",
  auditRecords: "审计记录", kind: "类型", decision: "结果", reason: "原因", subject: "住户", seq: "序号",
  anyValue: "全部", filter: "筛选", export: "导出（含签名链头）", from: "起", until: "止",
  import: "导入 CSV", exportCsv: "导出 CSV", csvFile: "CSV 文件", check: "检查文件", apply: "应用",
  importHelp: "任何更改之前都会检查每一行。新住户的 id 留空；pin 列为空、\"set\"（保留）或 \"reset\"（清除）：从不导入密码。",
  importRefused: "未做任何更改：{count} 个问题。", line: "行", problem: "问题",
  importPlan: "新增 {added} 位住户，修改 {changed} 位。是否应用？", importDone: "已应用：新增 {added} 位住户，修改 {changed} 位。",
  activity: "通行统计", entriesPerHour: "近 7 天每小时通行次数", entries: "次", hour: "时段",
  entriesTotal: "近 7 天共通行 {count} 次。", wayCard: "门卡", wayPin: "密码", wayCode: "访客码", wayFace: "人脸", wayExit: "出门按钮",
  erasureDelays: "撤回至最后删除的用时", seconds: "秒",
  users: "管理账号", addUser: "添加账号", disabled: "已停用", disable: "停用", enable: "启用",
  userExists: "该用户名已被使用。", notYourself: "不能停用自己的账号。",
  changePassword: "修改密码", currentPassword: "当前密码", newPassword: "新密码（至少 12 个字符）",
  report: "合规报告", purpose: "处理目的",
  rCompound: "小区",
  rGenerated: "生成时间",
  rResidents: "住户",
  rConsenting: "当前同意人脸识别",
  rCardOnly: "仅用门卡或密码（未同意）",
  rConsents: "同意次数",
  rWithdrawals: "撤回次数",
  rErased: "已完成删除",
  rPending: "待删除",
  rMedian: "撤回至最后删除（中位数）",
  rLongest: "撤回至最后删除（最长）",
  rRetention: "按保存期限删除",
  rHeld: "保存模板（门禁：住户数）",
  rHubHeld: "服务器保存的模板",
  rCamera: "摄像头开启时长",
  rHubNone: "无（服务器从不接收明文模板）", rNotReported: "门禁尚未上报",
  reportIntro: "依据门禁记录，为个人信息保护影响评估（《个人信息保护法》第五十五、五十六条）及 GB/T 35273-2020 提供的人脸信息处理事实。",
  purposeText: "用于小区出入管理。人脸识别为自愿选择：每位住户始终持有可用的门卡或密码；仅在同意的住户于键盘上开启人脸识别时摄像头才工作；图像只存于内存并即时清零；人脸模板加密保存在住户登记的门禁上，撤回同意后立即删除。",
  consent: "同意登记", consentingNow: "当前同意人脸识别的住户", withdrawals: "撤回",
  consentSummary: "共 {residents} 位住户：{consenting} 位当前同意人脸识别，{others} 位仅用门卡或密码；撤回 {withdrawals} 次，待删除 {pending} 项。",
  erasure: "删除", erasedAfter: "门禁 {gate} 已删除，用时 {delay}", pendingAt: "门禁 {gate} 待删除（{state}）", nothingHeld: "未保存人脸模板",
  lastErasure: "撤回至最后删除", subjectReport: "个人信息报告", events: "事件", print: "打印",
  subjectIntro: "管理处服务器保存的该住户信息。服务器不保存人脸模板和密码，只保存密码校验值（是否设置）以及下列门禁记录。",
};

export function missingChinese(): Key[] {
  return (Object.keys(EN) as Key[]).filter((k) => !ZH[k]);
}

export type Translate = (key: Key, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  return (key, vars) => {
    let text = (lang === "zh" ? ZH[key] : undefined) ?? EN[key];
    if (vars) for (const [name, value] of Object.entries(vars)) text = text.replace(`{${name}}`, String(value));
    return text;
  };
}

export function chooseLang(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (cookie === "en" || cookie === "zh") return cookie;
  return /^\s*zh\b/i.test(acceptLanguage ?? "") ? "zh" : "en";
}
