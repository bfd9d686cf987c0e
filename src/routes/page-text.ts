import type { PublicRecord } from "../repositories/public-records";

/**
 * The public pages' own words in each language they are shown in (docs/rules.md#public-lookup). Chinese is the
 * default; `?lang=en` asks for English. Only the pages' chrome is translated: the records' names, numbers and
 * dates are shown as stored.
 */
export type PageLang = "zh" | "en";

/** The language a page is asked for: English only by an explicit `lang=en`, so a shared link reads the same. */
export function pageLang(query: string | undefined): PageLang {
  return query === "en" ? "en" : "zh";
}

export type PageText = {
  htmlLang: string;
  site: string;
  /** The switch to the other language, as that language names itself. */
  otherLanguage: string;
  footerBefore: string;
  miitName: string;
  footerAfter: string;
  searchPlaceholder: string;
  searchLabel: string;
  searchButton: string;
  limitedTitle: string;
  limitedMessage: (seconds: string) => string;
  statusLabels: Record<PublicRecord["status"], string>;
  serviceTypeLabels: Record<number, string>;
  redactionNotes: Record<string, string>;
  redactedByRule: string;
  noResults: string;
  resultCount: (total: number, page: number, pages: number) => string;
  exportCsv: string;
  noMoreResults: string;
  backToFirst: string;
  updatedAt: string;
  pagerLabel: string;
  previous: string;
  next: string;
  searchHint: string;
  tooLong: (max: number, length: number) => string;
  resultsFor: (q: string) => string;
  shortQuery: (min: number) => string;
  notNumberSearchedName: (q: string) => string;
  numberForm: string;
  notFoundTitle: string;
  notFoundHeading: string;
  notFoundNumber: (q: string) => string;
  notNumber: (q: string) => string;
  checkNumber: string;
  copy: string;
  copied: string;
  backToSearch: string;
  fields: {
    serviceLicence: string;
    filingNumber: string;
    licenceNumber: string;
    unitName: string;
    natureName: string;
    serviceName: string;
    serviceType: string;
    contentType: string;
    none: string;
    approvedOn: string;
    updatedOn: string;
    limitAccess: string;
    status: string;
  };
  showNumberHeading: string;
  showNumberHint: string;
  linkSnippet: string;
  badgeSnippet: string;
  preview: string;
  inactiveWarning: (statusLabel: string) => string;
  intro: {
    what: string;
    whatText: string;
    freshBefore: string;
    freshStrong: string;
    freshMiddle: string;
    freshAfter: string;
    read: string;
    /** The explanation of 粤ICP备2024012345号-1X, as text with `code` parts marked by backticks. */
    readText: string;
    examples: string;
    developers: string;
    apiReference: string;
    apiReferenceText: string;
    recordFormat: string;
    recordFormatText: string;
    filingGuide: string;
    filingGuideText: string;
    dailyExport: string;
    dailyExportText: string;
  };
};

const zh: PageText = {
  htmlLang: "zh-CN",
  site: "小程序备案查询",
  otherLanguage: "English",
  footerBefore: "本站展示本平台代为备案并已通过审核的小程序备案信息，不含任何个人信息。备案信息以",
  miitName: "工业和信息化部政务服务平台",
  footerAfter: "为准。",
  searchPlaceholder: "备案号或名称",
  searchLabel: "查询内容",
  searchButton: "查询",
  limitedTitle: "请求过于频繁",
  limitedMessage: (s) => `查询次数过多，请 ${s} 秒后再试。`,
  statusLabels: { active: "正常", cancelled: "已注销", revoked: "已撤销", access_removed: "已取消接入" },
  serviceTypeLabels: { 7: "小程序", 6: "App" },
  redactionNotes: { unitName: "个人主体名称已隐去" },
  redactedByRule: "依规隐去",
  noResults: "未找到相关备案信息",
  resultCount: (total, page, pages) => `共 ${total} 条结果${pages > 1 ? `，第 ${page} / ${pages} 页` : ""}`,
  exportCsv: "导出本页（CSV）",
  noMoreResults: "没有更多结果了，",
  backToFirst: "回到第一页",
  updatedAt: "更新于",
  pagerLabel: "分页",
  previous: "上一页",
  next: "下一页",
  searchHint:
    "可输入备案号、主体备案号或经营许可证编号（可只输入数字）、小程序名称或主办单位名称；个人主体不支持按姓名查询。",
  tooLong: (max, length) => `查询内容不能超过 ${max} 个字符（当前 ${length} 个），请缩短后重试。`,
  resultsFor: (q) => `“${q}”的查询结果`,
  shortQuery: (min) =>
    `只有一到两个字的查询只匹配以它开头的名称：按“包含”查找需要至少 ${min} 个字（三字索引），这样任何查询都不必逐条扫描全部备案。输入更多字可按包含查找。`,
  notNumberSearchedName: (q) => `“${q}”不是备案号的格式，已按名称查询。`,
  numberForm:
    "备案号形如 粤ICP备2024012345号-1X：省份简称、ICP备、主体编号、号，再加“-序号”与类型字母（X 为小程序，A 为 App）。",
  notFoundTitle: "未找到",
  notFoundHeading: "未找到该备案号",
  notFoundNumber: (q) => `未找到备案号为“${q}”的小程序备案信息。`,
  notNumber: (q) => `“${q}”不是备案号的格式。`,
  checkNumber: "请核对备案号，或按名称查询：",
  copy: "复制",
  copied: "已复制",
  backToSearch: "← 返回查询",
  fields: {
    serviceLicence: "备案号",
    filingNumber: "主体备案号",
    licenceNumber: "经营许可证编号",
    unitName: "主办单位名称",
    natureName: "单位性质",
    serviceName: "服务名称",
    serviceType: "服务类型",
    contentType: "前置审批",
    none: "无",
    approvedOn: "审核通过日期",
    updatedOn: "更新时间",
    limitAccess: "限制接入",
    status: "状态",
  },
  showNumberHeading: "在小程序中展示备案号",
  showNumberHint: "按规定，备案号应展示在小程序的显著位置（如“关于”页面），并链接至工业和信息化部备案管理系统。",
  linkSnippet: "备案号链接代码",
  badgeSnippet: "备案状态徽章代码",
  preview: "效果预览：",
  inactiveWarning: (label) => `该备案${label}，相关小程序不应继续展示此备案号。`,
  intro: {
    what: "这是什么",
    whatText:
      "本站公开本平台代为备案、并经通信管理局审核通过的小程序备案信息：备案号、主办单位、服务名称与当前状态（正常、已注销、已撤销、已取消接入）。个人主体的姓名已隐去。",
    freshBefore: "数据在备案通过、变更或注销后 ",
    freshStrong: "60 秒内",
    freshMiddle: "即可在此查到；备案信息以",
    freshAfter: "为准。",
    read: "如何读备案号",
    readText:
      "`粤ICP备2024012345号-1X`：`粤` 是主办单位所在省份，`ICP备2024012345号` 是主体备案号（2024 年起编号），`-1` 是该主体下的第 1 个服务，`X` 表示小程序（`A` 为 App）。持有经营许可证的主体，服务编在许可证号下，如 `京ICP证030173号-1X`、`粤B2-20090059-1626X`。全角、繁体与“川贵云甘”等写法均可查询。",
    examples: "查询示例",
    developers: "开发者",
    apiReference: "API 参考",
    apiReferenceText: "：按号查询、批量查询（每次 50 个）、搜索、变更订阅与每日导出，无需密钥。",
    recordFormat: "记录格式",
    recordFormatText: "：字段沿用工信部查询的命名（serviceLicence、unitName…）。",
    filingGuide: "备案申报指南",
    filingGuideText: "：代备案平台的开发者如何提交、跟踪备案。",
    dailyExport: "每日导出",
    dailyExportText: "：全部公开备案的 CSV（gzip 压缩）。",
  },
};

const en: PageText = {
  htmlLang: "en",
  site: "Mini Program ICP Filing Lookup",
  otherLanguage: "中文",
  footerBefore:
    "This site shows the mini program ICP filings this platform made on its customers' behalf and that were approved; it holds no personal information. The ",
  miitName: "MIIT government service platform",
  footerAfter: " is authoritative.",
  searchPlaceholder: "Filing number or name",
  searchLabel: "Search for",
  searchButton: "Search",
  limitedTitle: "Too many requests",
  limitedMessage: (s) => `Too many lookups; please try again in ${s} seconds.`,
  statusLabels: { active: "Active", cancelled: "Cancelled", revoked: "Revoked", access_removed: "Access removed" },
  serviceTypeLabels: { 7: "Mini program", 6: "App" },
  redactionNotes: { unitName: "an individual's name is withheld" },
  redactedByRule: "withheld by rule",
  noResults: "No matching filing found",
  resultCount: (total, page, pages) =>
    `${total} result${total === 1 ? "" : "s"}${pages > 1 ? `, page ${page} of ${pages}` : ""}`,
  exportCsv: "Export this page (CSV)",
  noMoreResults: "No more results. ",
  backToFirst: "Back to the first page",
  updatedAt: "updated",
  pagerLabel: "Pages",
  previous: "Previous",
  next: "Next",
  searchHint:
    "Enter a filing number, an organizer's filing or licence number (digits alone will do), a mini program's name or an organizer's name; individuals cannot be found by name.",
  tooLong: (max, length) =>
    `A search may be at most ${max} characters long (this one has ${length}); please shorten it.`,
  resultsFor: (q) => `Results for “${q}”`,
  shortQuery: (min) =>
    `A one- or two-character search only matches names that start with it: matching anywhere in a name needs at least ${min} characters (a trigram index), so that no search has to scan every filing. Type more to match anywhere.`,
  notNumberSearchedName: (q) => `“${q}” is not a filing number, so names were searched. `,
  numberForm:
    "A filing number looks like 粤ICP备2024012345号-1X: the province's short name, ICP备, the organizer's number, 号, then “-sequence” and a type letter (X for a mini program, A for an app).",
  notFoundTitle: "Not found",
  notFoundHeading: "Filing number not found",
  notFoundNumber: (q) => `No mini program filing has the number “${q}”.`,
  notNumber: (q) => `“${q}” is not a filing number. `,
  checkNumber: "Check the number, or search by name:",
  copy: "Copy",
  copied: "Copied",
  backToSearch: "← Back to search",
  fields: {
    serviceLicence: "Filing number",
    filingNumber: "Organizer's filing number",
    licenceNumber: "Operating licence number",
    unitName: "Organizer",
    natureName: "Organizer type",
    serviceName: "Service name",
    serviceType: "Service type",
    contentType: "Prior approval",
    none: "None",
    approvedOn: "Approved on",
    updatedOn: "Updated on",
    limitAccess: "Access restricted",
    status: "Status",
  },
  showNumberHeading: "Showing the filing number in your mini program",
  showNumberHint:
    "The rules require the filing number to be shown prominently in the mini program (on its “About” page, say), linking to the MIIT filing system.",
  linkSnippet: "Filing number link code",
  badgeSnippet: "Filing status badge code",
  preview: "Preview: ",
  inactiveWarning: (label) =>
    `This filing is ${label.toLowerCase()}; the mini program must no longer show this number.`,
  intro: {
    what: "What this is",
    whatText:
      "This site publishes the mini program ICP filings this platform made on its customers' behalf and that the communications administration approved: the filing number, the organizer, the service name and the current status (active, cancelled, revoked, access removed). Individuals' names are withheld.",
    freshBefore: "A filing can be found here ",
    freshStrong: "within 60 seconds",
    freshMiddle: " of its approval, change or cancellation; the ",
    freshAfter: " is authoritative.",
    read: "How to read a filing number",
    readText:
      "`粤ICP备2024012345号-1X`: `粤` is the organizer's province, `ICP备2024012345号` is the organizer's filing number (numbered from 2024), `-1` is the organizer's first service and `X` marks a mini program (`A` an app). For an organizer holding an operating licence, services are numbered under the licence, as in `京ICP证030173号-1X` or `粤B2-20090059-1626X`. Full-width, traditional and other spellings (川贵云甘…) are found too.",
    examples: "Examples",
    developers: "Developers",
    apiReference: "API reference",
    apiReferenceText:
      ": lookup by number, batch lookup (50 at a time), search, change feeds and the daily export, no key needed.",
    recordFormat: "Record format",
    recordFormatText: ": fields named as the MIIT lookup names them (serviceLicence, unitName…).",
    filingGuide: "Filing guide",
    filingGuideText: ": how a developer on the platform submits and tracks a filing.",
    dailyExport: "Daily export",
    dailyExportText: ": every public filing as CSV (gzip-compressed).",
  },
};

export const PAGE_TEXT: Record<PageLang, PageText> = { zh, en };
