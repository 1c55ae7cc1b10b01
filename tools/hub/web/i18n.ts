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
  pin: "PIN", pinSet: "set", pinNone: "none",
  add: "Add resident", save: "Save", suspend: "Suspend", resume: "Resume",
  next: "Next page", previous: "First page", none: "None",
  forbidden: "Your role may not do this.", notFound: "Not found.", badForm: "The form was refused",
  count: "{count} residents", saved: "Saved.", at: "Time", who: "Who", action: "Action", detail: "Detail",
  language: "中文", signedInAs: "Signed in as {user} ({role})",
  owner: "owner", renter: "renter", staff: "staff", visitor: "visitor", courier: "courier",
  active: "active", suspended: "suspended",
  noCredential: "An active resident needs a card or a PIN (face is never the only way in).",
  skip: "Skip to content",
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
  pin: "密码锁", pinSet: "已设置", pinNone: "无",
  add: "添加住户", save: "保存", suspend: "暂停", resume: "恢复",
  next: "下一页", previous: "第一页", none: "无",
  forbidden: "您的角色无权执行此操作。", notFound: "未找到。", badForm: "表单被拒绝",
  count: "共 {count} 位住户", saved: "已保存。", at: "时间", who: "操作人", action: "操作", detail: "详情",
  language: "English", signedInAs: "当前用户 {user}（{role}）",
  owner: "业主", renter: "租户", staff: "员工", visitor: "访客", courier: "快递员",
  active: "有效", suspended: "已暂停",
  noCredential: "有效住户须持有门卡或密码（人脸识别绝非唯一通行方式）。",
  skip: "跳到正文",
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
