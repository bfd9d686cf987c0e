/**
 * 前置审批 pre-approvals: the permits some kinds of internet information service need before filing
 * (docs/rules.md#identifiers). Codes are binding API; names follow the wording of MIIT's filing system.
 */
export const PRE_APPROVAL_TYPES = [
  { code: "news", name: "新闻", nameEn: "News" },
  { code: "publishing", name: "出版", nameEn: "Publishing" },
  { code: "education", name: "教育", nameEn: "Education" },
  { code: "medical", name: "医疗保健", nameEn: "Medical and health care" },
  { code: "drugs_medical_devices", name: "药品和医疗器械", nameEn: "Drugs and medical devices" },
  { code: "culture", name: "文化", nameEn: "Culture" },
  { code: "broadcasting", name: "广播电影电视节目", nameEn: "Radio, film and television programmes" },
  { code: "religion", name: "宗教", nameEn: "Religion" },
  { code: "ride_hailing", name: "网络预约车", nameEn: "Online ride-hailing" },
  { code: "internet_finance", name: "互联网金融", nameEn: "Internet finance" },
  { code: "off_campus_training", name: "校外培训", nameEn: "Off-campus training" },
  { code: "electronic_bulletin", name: "电子公告", nameEn: "Electronic bulletin services" },
] as const satisfies readonly { code: string; name: string; nameEn: string }[];

export type PreApprovalType = (typeof PRE_APPROVAL_TYPES)[number]["code"];
