import type { Role } from "../../domain/roles";

/**
 * The consoles' chrome in each language they are shown in (docs/rules.md#consoles): Chinese by default, English
 * when chosen (remembered in a cookie). Each console keeps its own page words beside its routes; the API's problems
 * arrive already in the chosen language.
 */
export type ConsoleLang = "zh" | "en";

export const CHROME = {
  zh: {
    htmlLang: "zh-CN",
    site: "小程序备案控制台",
    otherLanguage: "English",
    signOut: "退出",
    signedInAs: (role: string) => `已登录：${role}`,
    skip: "跳到正文",
    nav: "控制台导航",
    roles: {
      developer: "开发者",
      provider: "服务商",
      reviewer: "平台审核员",
      regulator: "管局",
      admin: "运营管理员",
    } satisfies Record<Role, string>,
    links: {
      apps: "小程序",
      events: "事件",
      webhook: "Webhook",
      review: "审核队列",
      regulator: "管局核验",
      dashboard: "概览",
      accounts: "账号与密钥",
    },
    loginTitle: "登录",
    loginIntro: "用管理员为你的账号创建的 API 密钥登录。密钥只用于这次登录，不会保存在浏览器里。",
    keyLabel: "API 密钥",
    loginButton: "登录",
    loginFailed: "密钥无效或已吊销。",
    loginLimited: (s: string) => `登录失败次数过多，请 ${s} 秒后再试。`,
    loginExpired: "登录表单已过期，请重试。",
    forbiddenTitle: "无权访问",
    forbidden: (roles: string) => `这个控制台仅供：${roles}。`,
    yourConsole: "前往你的控制台",
    notFoundTitle: "未找到",
    notFound: "没有这个页面，或它不属于你的账号。",
  },
  en: {
    htmlLang: "en",
    site: "Mini program filing console",
    otherLanguage: "中文",
    signOut: "Sign out",
    signedInAs: (role: string) => `Signed in: ${role}`,
    skip: "Skip to content",
    nav: "Console navigation",
    roles: {
      developer: "Developer",
      provider: "Service provider",
      reviewer: "Platform reviewer",
      regulator: "Bureau",
      admin: "Operator",
    } satisfies Record<Role, string>,
    links: {
      apps: "Mini programs",
      events: "Events",
      webhook: "Webhook",
      review: "Review queue",
      regulator: "Bureau checks",
      dashboard: "Overview",
      accounts: "Accounts and keys",
    },
    loginTitle: "Sign in",
    loginIntro:
      "Sign in with the API key an administrator created for your account. The key is used for this sign-in only and is never kept in the browser.",
    keyLabel: "API key",
    loginButton: "Sign in",
    loginFailed: "The key is unknown or revoked.",
    loginLimited: (s: string) => `Too many failed sign-ins: try again in ${s} s.`,
    loginExpired: "The sign-in form had expired: try again.",
    forbiddenTitle: "Not allowed",
    forbidden: (roles: string) => `This console is for: ${roles}.`,
    yourConsole: "Go to your console",
    notFoundTitle: "Not found",
    notFound: "There is no such page, or it is not your account's.",
  },
};

export type Chrome = (typeof CHROME)["zh"];
