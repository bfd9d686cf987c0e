import type { FieldCode, Problem } from "../domain/problems";
import type { ErrorCode } from "./error-codes";
import type { Lang } from "./i18n";

type Text = { en: string; zh: string };
type FieldText = { message: Text; suggest?: Text };

const TITLES: Record<ErrorCode, Text> = {
  MALFORMED_JSON: { en: "The request body is not valid JSON", zh: "请求体不是合法的 JSON" },
  BAD_REQUEST: { en: "Bad request", zh: "请求有误" },
  UNAUTHORIZED: { en: "A valid API key is required", zh: "需要有效的 API 密钥" },
  FORBIDDEN: { en: "Your role may not do this", zh: "当前角色无权执行此操作" },
  NOT_FOUND: { en: "Not found", zh: "未找到" },
  METHOD_NOT_ALLOWED: { en: "Method not allowed", zh: "不支持该请求方法" },
  FILING_IN_PROGRESS: { en: "This app already has a filing in progress", zh: "该小程序已有进行中的备案申请" },
  REGISTRATION_REQUIRED: { en: "This app has no active registration", zh: "该小程序没有有效的备案记录" },
  REGISTRATION_EXISTS: { en: "This app already has an active registration", zh: "该小程序已有有效的备案记录" },
  INVALID_TRANSITION: {
    en: "The filing cannot move to that status from its current one",
    zh: "备案申请当前状态不允许此操作",
  },
  SMS_WINDOW_EXPIRED: { en: "The 24-hour SMS verification window has passed", zh: "短信核验 24 小时时限已过" },
  FILING_REQUIRED: {
    en: "The app needs an active registration before it can be listed",
    zh: "小程序须完成备案后才能上架",
  },
  IDEMPOTENCY_IN_PROGRESS: {
    en: "A request with this Idempotency-Key is still being processed",
    zh: "使用该幂等键的请求仍在处理中",
  },
  APP_EXISTS: { en: "An app with this appId already exists", zh: "该 appId 的小程序已存在" },
  CONFLICT: { en: "The request conflicts with the current state", zh: "请求与当前状态冲突" },
  PAYLOAD_TOO_LARGE: { en: "The request body is too large", zh: "请求体过大" },
  UNSUPPORTED_MEDIA_TYPE: { en: "Send the body as application/json", zh: "请求体须为 application/json" },
  VALIDATION_FAILED: { en: "The request has problems; see errors", zh: "请求存在问题，详见 errors" },
  IDEMPOTENCY_KEY_REUSED: {
    en: "This Idempotency-Key was used with a different request body",
    zh: "该幂等键已用于另一个不同的请求体",
  },
  REGISTRATION_NUMBER_INVALID: {
    en: "The registration number does not fit this organizer",
    zh: "备案号与该主办者不符",
  },
  RATE_LIMITED: { en: "Too many requests", zh: "请求过于频繁" },
  SUBMISSION_QUOTA_EXCEEDED: {
    en: "This account has made today's allowance of filings; try again after midnight, Beijing time",
    zh: "该账号今日提交备案申请的次数已达上限，请于北京时间零点后再试",
  },
  VERIFICATION_RATE_LIMITED: {
    en: "This app has started its face verifications for today",
    zh: "该小程序今日发起人脸核验的次数已达上限",
  },
  INTERNAL: { en: "Internal error", zh: "服务器内部错误" },
  IDENTITY_PROVIDER_MISSING: {
    en: "No identity provider is configured for face verification",
    zh: "未配置人脸核验服务",
  },
};

/**
 * Field-level codes and their messages. `{name}` placeholders are filled from the problem's params, `{name|one|other}`
 * with the word for that count.
 * Codes are stable API; messages may be reworded.
 */
const FIELDS: Record<FieldCode, FieldText> = {
  REQUIRED: { message: { en: "This field is required", zh: "此项为必填项" } },
  INVALID_TYPE: { message: { en: "Expected {expected}", zh: "类型错误，应为 {expected}" } },
  UNKNOWN_FIELD: {
    message: { en: "Unknown field", zh: "未知字段" },
    suggest: { en: "Remove it; field names are case-sensitive", zh: "请删除该字段；字段名区分大小写" },
  },
  UNKNOWN_REQUEST_FIELD: {
    message: { en: "Names no field of the filing's request", zh: "备案申请中没有该字段" },
    suggest: {
      en: 'Use a path such as organizer.certificate.number or service.preApprovals[0].type, or "" for the whole filing',
      zh: "请填写字段路径，如 organizer.certificate.number、service.preApprovals[0].type；针对整份申请请填空字符串",
    },
  },
  INVALID_VALUE: { message: { en: "Must be one of: {allowed}", zh: "取值须为：{allowed}" } },
  TOO_SHORT: { message: { en: "Must be at least {min} {min|character|characters}", zh: "长度至少 {min} 个字符" } },
  TOO_LONG: { message: { en: "Must be at most {max} {max|character|characters}", zh: "长度至多 {max} 个字符" } },
  TOO_FEW: { message: { en: "Needs at least {min} {min|item|items}", zh: "至少需要 {min} 项" } },
  TOO_MANY: { message: { en: "Allows at most {max} {max|item|items}", zh: "至多允许 {max} 项" } },
  TOO_SMALL: { message: { en: "Must be at least {min}", zh: "不得小于 {min}" } },
  TOO_BIG: { message: { en: "Must be at most {max}", zh: "不得大于 {max}" } },
  INVALID_CHARACTERS: {
    message: {
      en: "Contains a control character, a lone surrogate or a bidirectional control",
      zh: "包含控制字符、无效的 Unicode 代理项或文字方向控制符",
    },
    suggest: {
      en: "Remove them; line breaks are kept only in descriptions and reasons",
      zh: "请删除这些字符；仅描述和驳回理由可以换行",
    },
  },
  INVALID_FORMAT: {
    message: { en: "The format is not valid", zh: "格式不正确" },
    suggest: { en: "Check the value against the certificate or field format", zh: "请核对证件或字段格式" },
  },
  INVALID_CHECK_CHARACTER: {
    message: { en: "The check character does not match", zh: "校验位不正确" },
    suggest: { en: "Re-enter the number as printed on the certificate", zh: "请按证件原样重新输入号码" },
  },
  INVALID_REGION_CODE: {
    message: {
      en: "The region code in the number is not valid (a resident ID's first 2 digits, a USCC's characters 3–8)",
      zh: "号码中的行政区划代码无效（身份证号前 2 位，统一社会信用代码第 3–8 位）",
    },
  },
  INVALID_BIRTH_DATE: {
    message: { en: "The birth date in the number is not a real date", zh: "号码中的出生日期无效" },
  },
  INVALID_DATE: { message: { en: "Must be a real date as YYYY-MM-DD", zh: "须为 YYYY-MM-DD 格式的有效日期" } },
  UNDERAGE: {
    message: { en: "The person must be at least 18 years old", zh: "负责人须年满 18 周岁" },
    suggest: { en: "Name an adult as the principal", zh: "请更换为成年负责人" },
  },
  BIRTH_DATE_MISMATCH: {
    message: { en: "birthDate differs from the date in the certificate number", zh: "出生日期与证件号码不一致" },
  },
  CERTIFICATE_EXPIRED: {
    message: { en: "The certificate has expired", zh: "证件已过有效期" },
    suggest: { en: "Use a certificate that is still valid", zh: "请使用在有效期内的证件" },
  },
  CERTIFICATE_EXPIRING: {
    message: {
      en: "The certificate expires within {days} days of submission",
      zh: "证件将在提交后 {days} 天内到期",
    },
    suggest: {
      en: "Renew the certificate first, or file with one valid for longer",
      zh: "请先换领证件，或使用有效期更长的证件",
    },
  },
  CERTIFICATE_NOT_YET_VALID: { message: { en: "validFrom is in the future", zh: "证件有效期起始日期晚于今天" } },
  INVALID_VALIDITY: { message: { en: "validTo must be after validFrom", zh: "有效期截止日期须晚于起始日期" } },
  LONG_TERM_NOT_ALLOWED: {
    message: { en: "Only a resident ID may be valid long-term", zh: "仅居民身份证可为长期有效" },
  },
  CERTIFICATE_TYPE_NOT_ALLOWED: {
    message: {
      en: "This certificate type is not allowed here ({allowed})",
      zh: "此处不允许该证件类型（可用：{allowed}）",
    },
  },
  USCC_NATURE_MISMATCH: {
    message: {
      en: "The code's prefix {prefix} does not fit the nature {nature}",
      zh: "统一社会信用代码前缀 {prefix} 与单位性质 {nature} 不符",
    },
    suggest: { en: "See GET /v1/reference/natures for the prefixes", zh: "前缀对照见 GET /v1/reference/natures" },
  },
  UNKNOWN_REGION: { message: { en: "Unknown region code", zh: "行政区划代码不存在" } },
  REGION_MISMATCH: { message: { en: "The region does not lie in its parent", zh: "行政区划与上级区划不匹配" } },
  DISTRICT_REQUIRED: { message: { en: "This city needs a district", zh: "该城市须填写区县" } },
  DISTRICT_NOT_ALLOWED: { message: { en: "This city has no districts", zh: "该城市无区县级行政区划" } },
  EMERGENCY_CONTACT_SAME_AS_MOBILE: {
    message: { en: "The emergency contact must differ from the mobile", zh: "应急联系电话不能与手机号码相同" },
  },
  UNKNOWN_SERVICE_CONTENT_TYPE: {
    message: { en: "Unknown service content type", zh: "服务内容类型不存在" },
    suggest: {
      en: "Use a second-level code from GET /v1/reference/service-content-types",
      zh: "请使用 GET /v1/reference/service-content-types 中的二级类型代码",
    },
  },
  NOT_SECOND_LEVEL: {
    message: { en: "Choose a second-level type, not a category", zh: "请选择二级类型，而非一级分类" },
  },
  DUPLICATE: { message: { en: "Duplicate value", zh: "重复的值" } },
  PRE_APPROVAL_REQUIRED: {
    message: {
      en: "Service content type {contentType} needs a {type} pre-approval",
      zh: "服务内容 {contentType} 须提供前置审批：{type}",
    },
    suggest: { en: "Add {type} to service.preApprovals", zh: "请在 service.preApprovals 中添加 {type}" },
  },
  COMMITMENT_REQUIRED: {
    message: { en: "The commitment letter must be accepted", zh: "须同意备案承诺书" },
  },
  MASKED_VALUE: {
    message: { en: "This is a masked value, not the value itself", zh: "此处为脱敏显示的值，而非原值" },
    suggest: {
      en: "Leave the field out of the patch to keep it, or send the full new value",
      zh: "如不修改请在补丁中省略该字段，如需修改请填写完整的新值",
    },
  },
  INVALID_TRANSITION: {
    message: {
      en: "Only a rejected, withdrawn or expired filing may be resubmitted",
      zh: "仅被驳回、已撤回或已过期的备案申请可以重新提交",
    },
  },
  ORGANIZER_PROVINCE_CONFLICT: {
    message: {
      en: "This organizer has already filed in province {province}",
      zh: "该主办者已在其他省份（{province}）备案",
    },
    suggest: { en: "File in the organizer's existing province", zh: "请在主办者已备案的省份提交" },
  },
  SERVICE_NAME_TAKEN: {
    message: { en: "Another organizer already uses this service name", zh: "该名称已被其他主办者使用" },
    suggest: { en: "Choose another name", zh: "请更换名称" },
  },
  ORGANIZER_QUOTA_EXCEEDED: {
    message: {
      en: "The organizer may have at most {limit} {limit|mini program|mini programs}",
      zh: "该主办者最多可备案 {limit} 个小程序",
    },
  },
  MOBILE_SHARED: {
    message: {
      en: "This mobile already belongs to a different principal",
      zh: "该手机号码已被其他负责人使用",
    },
    suggest: { en: "Each principal needs their own mobile", zh: "每位负责人须使用本人手机号码" },
  },
  ORGANIZER_MISMATCH: {
    message: {
      en: "This organizer is already known with different data ({fields})",
      zh: "该主办者已备案，信息与本次不一致（{fields}）",
    },
    suggest: { en: "Change organizer data with a `change` filing", zh: "主办者信息请通过变更备案修改" },
  },
  PROVINCE_CHANGE: {
    message: { en: "A change filing cannot move the organizer to another province", zh: "变更备案不能变更主办者省份" },
    suggest: { en: "Cancel and file anew in the new province", zh: "请注销后在新省份重新备案" },
  },
  FILING_IN_PROGRESS: {
    message: { en: "This app already has a filing in progress", zh: "该小程序已有进行中的备案申请" },
  },
  REGISTRATION_REQUIRED: {
    message: { en: "This app has no active registration", zh: "该小程序没有有效的备案记录" },
    suggest: { en: "Submit a `new` filing first", zh: "请先提交新增备案" },
  },
  REGISTRATION_EXISTS: {
    message: { en: "This app already has an active registration", zh: "该小程序已有有效的备案记录" },
    suggest: { en: "Use a `change` filing", zh: "请提交变更备案" },
  },
  SERVICE_NAME_MISMATCH: {
    message: {
      en: "The service name differs from the app's name {appName}",
      zh: "名称与小程序名称（{appName}）不一致",
    },
  },
  NOT_AN_OBJECT: { message: { en: "The body must be a JSON object", zh: "请求体须为 JSON 对象" } },
  ORGANIZER_APPS_NOT_HELD: {
    message: {
      en: "Cancelling the organizer needs every one of its apps to be yours or granted to you",
      zh: "注销主体须对该主办者的全部小程序拥有权限",
    },
    suggest: { en: "Use scope `service` for this app alone", zh: "仅注销本小程序请使用 scope `service`" },
  },
  REGISTRATION_NUMBER_INVALID: {
    message: { en: "The number does not fit: {reason}", zh: "备案号不符：{reason}" },
    suggest: { en: "Send the number exactly as the bureau issued it", zh: "请按管局下发的备案号原样填写" },
  },
  MAIN_LICENCE_TAKEN: {
    message: {
      en: "{mainLicence} is another organizer's main licence",
      zh: "{mainLicence} 属于其他主办者",
    },
    suggest: { en: "Send the number exactly as the bureau issued it", zh: "请按管局下发的备案号原样填写" },
  },
  WEBHOOK_URL_NOT_HTTPS: { message: { en: "Webhook URLs must use https", zh: "回调地址须使用 https" } },
  WEBHOOK_URL_PRIVATE: {
    message: {
      en: "Webhook URLs may not point at localhost or a private, loopback or link-local address",
      zh: "回调地址不能指向 localhost 或内网、回环、链路本地地址",
    },
  },
  OFFSET_REQUIRED: {
    message: {
      en: "Give the time with an explicit offset (RFC 3339), e.g. 2024-03-31T23:59:59+08:00",
      zh: "时间须带时区偏移（RFC 3339），如 2024-03-31T23:59:59+08:00",
    },
  },
  MEDIA_NOT_FOUND: {
    message: { en: "No material of yours has this mediaId", zh: "未找到该材料（mediaId 不存在或不属于你）" },
    suggest: {
      en: "Upload it with POST /v1/materials and use the mediaId returned",
      zh: "请通过 POST /v1/materials 上传并使用返回的 mediaId",
    },
  },
  MEDIA_FIELD_MISMATCH: {
    message: { en: "This material was uploaded for {field}", zh: "该材料是为 {field} 上传的" },
    suggest: { en: "Upload the material for this field", zh: "请为此项单独上传材料" },
  },
  MEDIA_CERTIFICATE_MISMATCH: {
    message: {
      en: "This photo shows a {certificateType} certificate",
      zh: "该照片的证件类型为 {certificateType}，与申请不符",
    },
  },
  // Material uploads (POST /v1/materials): each check at upload has its own code.
  UNKNOWN_MATERIAL_FIELD: {
    message: { en: "No filing field takes a material by this name", zh: "没有接受该材料的备案字段" },
    suggest: { en: "Use one of: {allowed}", zh: "可用字段：{allowed}" },
  },
  UNSUPPORTED_FILE_TYPE: {
    message: {
      en: "This field takes {allowed} files (judged by the file's content, not its name)",
      zh: "此项仅接受 {allowed} 文件（按文件内容判断，而非文件名）",
    },
  },
  INVALID_IMAGE: {
    message: {
      en: "The file starts like a {format} image but its dimensions cannot be read",
      zh: "文件开头为 {format} 图片格式，但无法读取其尺寸",
    },
    suggest: { en: "Export the image again and upload the new file", zh: "请重新导出图片后上传" },
  },
  IMAGE_TOO_SMALL: {
    message: {
      en: "The image is {width} × {height} pixels; it needs at least {minShort} on its short side and {minLong} on its long side",
      zh: "图片为 {width} × {height} 像素，短边须至少 {minShort}、长边须至少 {minLong} 像素",
    },
    suggest: { en: "Photograph the document at a higher resolution", zh: "请以更高分辨率拍摄证件" },
  },
  IMAGE_TOO_LARGE: {
    message: {
      en: "The image is {width} × {height} pixels; at most {maxSide} on a side and {maxMegapixels} megapixels are accepted",
      zh: "图片为 {width} × {height} 像素，每边至多 {maxSide} 像素、总计至多 {maxMegapixels} 百万像素",
    },
    suggest: { en: "Scale the image down and upload it again", zh: "请缩小图片后重新上传" },
  },
  IMAGE_TRUNCATED: {
    message: {
      en: "The file is too short to hold the {width} × {height} {format} image its header declares",
      zh: "文件过短，容纳不下其头部声明的 {width} × {height} {format} 图片",
    },
    suggest: { en: "Export the image again and upload the new file", zh: "请重新导出图片后上传" },
  },
  TRAILING_DATA: {
    message: {
      en: "The file carries data after the end of its {format} content",
      zh: "文件在 {format} 内容结束后仍附有其他数据",
    },
    suggest: { en: "Export the document again and upload the new file", zh: "请重新导出文件后上传" },
  },
  ACTIVE_CONTENT: {
    message: {
      en: "The PDF carries active content ({name}: script, launch actions, embedded files or media), which materials may not",
      zh: "该 PDF 含有可执行内容（{name}：脚本、启动操作、嵌入文件或多媒体），备案材料不接受",
    },
    suggest: {
      en: "Print the document to a new PDF, or upload a photo of it",
      zh: "请将文件打印为新的 PDF，或上传其照片",
    },
  },
  WRONG_ORIENTATION: {
    message: {
      en: "This material must be a {orientation} image; this one is {width} × {height}",
      zh: "此项须为{orientationZh}图片，当前为 {width} × {height}",
    },
    suggest: { en: "Rotate the image to match the document", zh: "请将图片旋转至与证件方向一致" },
  },
  CERTIFICATE_TYPE_MISMATCH: {
    message: {
      en: "{field} takes a photo of one of: {allowed}",
      zh: "{field} 仅接受以下证件类型的照片：{allowed}",
    },
  },
  CERTIFICATE_TYPE_NOT_EXPECTED: {
    message: { en: "This material takes no certificate type", zh: "此项材料无需填写证件类型" },
    suggest: { en: "Leave certificateType out", zh: "请删除 certificateType" },
  },
  FILE_TOO_LARGE: {
    message: { en: "The file may be at most {maxMb} MB", zh: "文件不得超过 {maxMb} MB" },
    suggest: { en: "Compress the image or scan at a lower resolution", zh: "请压缩图片或降低扫描分辨率" },
  },
  UNKNOWN_ACCOUNT: { message: { en: "No such account", zh: "账号不存在" } },
  UNKNOWN_APP: {
    message: { en: "No such app", zh: "小程序不存在" },
    suggest: { en: "Import the app first, or leave appId out", zh: "请先导入该小程序，或不填 appId" },
  },
  NOT_A_PROVIDER: {
    message: { en: "No provider account has this id", zh: "不存在该服务商账号" },
    suggest: { en: "Ask the provider for its account id", zh: "请向服务商确认其账号 ID" },
  },
  INVALID_CURSOR: { message: { en: "The cursor is not valid", zh: "分页游标无效" } },
  // Face verification (docs/rules.md#verifications), each at `<principal>.verificationId`.
  VERIFICATION_NOT_FOUND: {
    message: {
      en: "No face verification of yours for this app has this id",
      zh: "未找到该人脸核验（不存在，或不是你为该小程序发起的）",
    },
    suggest: {
      en: "Start one with POST /v1/verifications for this person and app",
      zh: "请通过 POST /v1/verifications 为此人和该小程序发起核验",
    },
  },
  VERIFICATION_PENDING: {
    message: { en: "This person has not completed the face verification yet", zh: "此人尚未完成人脸核验" },
    suggest: { en: "Have the person open the verification's url", zh: "请让本人打开核验链接完成核验" },
  },
  VERIFICATION_FAILED: {
    message: { en: "This face verification failed", zh: "该人脸核验未通过" },
    suggest: { en: "Start a new verification", zh: "请重新发起核验" },
  },
  VERIFICATION_EXPIRED: {
    message: { en: "This face verification is no longer valid", zh: "该人脸核验已过有效期" },
    suggest: { en: "Start a new verification", zh: "请重新发起核验" },
  },
  VERIFICATION_PERSON_MISMATCH: {
    message: {
      en: "This face verification is for another person (name or certificate differ)",
      zh: "该人脸核验的姓名或证件与此人不符",
    },
  },
  VERIFICATION_USED: {
    message: { en: "Another filing has used this face verification", zh: "该人脸核验已被其他备案申请使用" },
    suggest: { en: "Start a new verification", zh: "请重新发起核验" },
  },
};

/**
 * Fills `{name}` from the params, and `{name|one|other}` with the word for that count: "1 character",
 * "2 characters" (English needs it; Chinese messages have no plural).
 */
function fill(template: string, params: Problem["params"]): string {
  if (!params) return template;
  return template
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (whole, name: string, one: string, other: string) =>
      params[name] === undefined ? whole : Number(params[name]) === 1 ? one : other,
    )
    .replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : String(params[name])));
}

export function titleFor(code: ErrorCode, lang: Lang): string {
  return TITLES[code][lang];
}

export function renderProblem(
  p: Problem,
  lang: Lang,
): { path: string; code: string; message: string; suggest?: string } {
  const text = FIELDS[p.code];
  const message = text ? fill(text.message[lang], p.params) : p.code;
  const out: { path: string; code: string; message: string; suggest?: string } = {
    path: p.path,
    code: p.code,
    message,
  };
  if (text?.suggest) out.suggest = fill(text.suggest[lang], p.params);
  return out;
}
