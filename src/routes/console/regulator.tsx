import { SMS_RESULTS, SMS_ROLES } from "../../domain/sms-verification";
import { callApi } from "./api";
import { consoleNotFound, useConsoleLang } from "./layout";
import { formField } from "./session";
import { filingPage, STAFF_HOME, staffConsole } from "./staff-filing";

/**
 * The regulator's console (docs/rules.md#consoles), mounted at /console/regulator: the workbench, plus each
 * person's SMS confirmation step as the API takes it.
 */
export const regulatorConsole = staffConsole("regulator");

regulatorConsole.post("/filings/:id/sms", async (c) => {
  const id = c.req.param("id");
  if (!/^[\w-]{1,64}$/.test(id)) return consoleNotFound(c);
  useConsoleLang(c);
  const role = (await formField(c, "role")) ?? "";
  const result = (await formField(c, "result")) ?? "";
  const res = await callApi(c, "POST", `/v1/regulator/filings/${id}/sms-verifications`, { json: { role, result } });
  if (res.ok) {
    const known =
      (SMS_ROLES as readonly string[]).includes(role) && (SMS_RESULTS as readonly string[]).includes(result);
    const done = known ? `?done=sms&role=${role}&result=${result}` : "";
    return c.redirect(`${STAFF_HOME.regulator}/filings/${id}${done}`, 303);
  }
  const general = (res.problem?.errors?.length ? res.problem.errors : [{ message: res.problem?.detail ?? "" }]).map(
    (e) => e.message,
  );
  return filingPage(c, "regulator", id, { sms: { general } }, res.status);
});
