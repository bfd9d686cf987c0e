import { describe, expect, it } from "vitest";
import { renderProblem } from "../../src/lib/messages";

describe("field messages", () => {
  it("say 1 character, 2 characters (and items, mini programs)", () => {
    const en = (code: Parameters<typeof renderProblem>[0]["code"], params: Record<string, number>) =>
      renderProblem({ path: "x", code, params }, "en").message;
    expect(en("TOO_SHORT", { min: 1 })).toBe("Must be at least 1 character");
    expect(en("TOO_SHORT", { min: 20 })).toBe("Must be at least 20 characters");
    expect(en("TOO_LONG", { max: 1 })).toBe("Must be at most 1 character");
    expect(en("TOO_LONG", { max: 30 })).toBe("Must be at most 30 characters");
    expect(en("TOO_FEW", { min: 1 })).toBe("Needs at least 1 item");
    expect(en("TOO_MANY", { max: 5 })).toBe("Allows at most 5 items");
    expect(en("ORGANIZER_QUOTA_EXCEEDED", { limit: 1 })).toBe("The organizer may have at most 1 mini program");
    expect(en("ORGANIZER_QUOTA_EXCEEDED", { limit: 5 })).toBe("The organizer may have at most 5 mini programs");
  });

  it("leave Chinese as it is, and a missing parameter visible", () => {
    expect(renderProblem({ path: "x", code: "TOO_SHORT", params: { min: 1 } }, "zh").message).toBe("长度至少 1 个字符");
    expect(renderProblem({ path: "x", code: "TOO_SHORT" }, "en").message).toBe(
      "Must be at least {min} {min|character|characters}",
    );
  });
});
