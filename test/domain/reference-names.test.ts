import { describe, expect, it } from "vitest";
import { codeWithName } from "../../src/domain/reference";

describe("codeWithName", () => {
  it("names the codes of the filing's code lists, keeping the code", () => {
    expect(codeWithName("organizer.nature", "enterprise", "zh")).toBe("企业（enterprise）");
    expect(codeWithName("organizer.nature", "enterprise", "en")).toBe("Enterprise (enterprise)");
    expect(codeWithName("organizer.principal.certificate.type", "resident_id", "zh")).toBe("居民身份证（resident_id）");
    expect(codeWithName("service.languages", "zh-Hans", "zh")).toBe("简体中文（zh-Hans）");
    expect(codeWithName("service.languages[0]", "zh-Hans", "en")).toBe("Chinese (Simplified) (zh-Hans)");
    expect(codeWithName("service.preApprovals[1].type", "news", "zh")).toBe("新闻（news）");
    expect(codeWithName("service.serviceContentTypes", "life.bill_payment", "zh")).toMatch(/（life\.bill_payment）$/);
  });

  it("leaves other fields, and codes no list knows, as they are", () => {
    expect(codeWithName("organizer.name", "enterprise", "zh")).toBe("enterprise");
    expect(codeWithName("organizer.nature", "not_a_nature", "zh")).toBe("not_a_nature");
    expect(codeWithName("service.preApprovals[0].approvalNumber", "news", "zh")).toBe("news");
  });
});
