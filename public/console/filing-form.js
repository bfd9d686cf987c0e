// The filing form's live check (src/routes/console/filing-form.tsx): as the filer types, the form's fields (not its
// files) go to the same console route the form posts to, asking for JSON; the route turns them into a request
// exactly as a submission does and answers the API's dry run (POST /v1/filings/validate). Each problem is shown
// beside its field. Region pickers load the cities and districts of the chosen province and city from the public
// reference data. Without this script the form works the same, with a "check" button.
const form = document.querySelector("form.filing-form");
const csrf = document.querySelector("main")?.dataset.csrf;

if (form && csrf) {
  const summary = form.querySelector("#problems");
  const checked = form.querySelector("#checked");
  let timer;
  let sent = 0;

  const slots = () => form.querySelectorAll("[data-errors-for]");
  const inputsOf = (path) =>
    [...form.querySelectorAll("[name]")].filter((el) => el.name === path || el.name === `upload:${path}`);

  function show(errors) {
    const byField = new Map();
    for (const e of errors) {
      const list = byField.get(e.field) ?? [];
      list.push(e);
      byField.set(e.field, list);
    }
    for (const slot of slots()) {
      const path = slot.dataset.errorsFor;
      const mine = byField.get(path) ?? [];
      for (const old of slot.querySelectorAll(".problem")) old.remove();
      for (const e of mine) {
        const span = document.createElement("span");
        span.className = "problem";
        span.textContent = e.message;
        if (e.suggest) {
          const s = document.createElement("span");
          s.className = "suggest";
          s.textContent = e.suggest;
          span.append(s);
        }
        slot.prepend(span);
      }
      const bad = slot.childElementCount > 0;
      slot.hidden = !bad;
      for (const input of inputsOf(path)) {
        if (input.type === "hidden") continue;
        if (bad) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
        const ids = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && id !== slot.id);
        if (bad) ids.push(slot.id);
        if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
        else input.removeAttribute("aria-describedby");
      }
    }
    if (summary) {
      const list = summary.querySelector("ul");
      const title = summary.querySelector("p");
      list.replaceChildren(
        ...errors.map((e) => {
          const li = document.createElement("li");
          if (e.anchor) {
            const a = document.createElement("a");
            a.href = `#${e.anchor}`;
            a.textContent = e.label;
            li.append(a, `: ${e.message}`);
          } else li.textContent = `${e.label || e.path || "-"}: ${e.message}`;
          return li;
        }),
      );
      if (title) title.textContent = title.textContent.replace(/\d+/, String(errors.length));
      summary.hidden = errors.length === 0;
      summary.setAttribute("role", "status");
    }
    if (checked) checked.hidden = errors.length !== 0;
  }

  async function check() {
    const data = new FormData(form);
    for (const [name, value] of [...data.entries()]) if (value instanceof File) data.delete(name);
    data.set("_action", "check");
    const mine = ++sent;
    try {
      const res = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(data),
        headers: { accept: "application/json", "x-csrf-token": csrf },
        credentials: "same-origin",
      });
      if (!res.ok || mine !== sent) return;
      const answer = await res.json();
      show(answer.errors ?? []);
    } catch {
      // Offline or signed out: the form still checks on submit.
    }
  }

  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  };
  form.addEventListener("input", (event) => {
    if (event.target.type !== "file") soon();
  });

  // A chosen file is uploaded (and checked) at once; its mediaId goes in the field's hidden input, with a preview.
  form.addEventListener("change", async (event) => {
    const input = event.target;
    if (input.type !== "file" || !input.files?.length) return;
    const path = input.name.slice("upload:".length);
    const data = new FormData(form);
    for (const [name, value] of [...data.entries()]) {
      if (value instanceof File && name !== input.name) data.delete(name);
    }
    data.set("_action", "upload");
    const slot = form.querySelector(`[data-errors-for="${CSS.escape(path)}"]`);
    try {
      const res = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { accept: "application/json", "x-csrf-token": csrf },
        credentials: "same-origin",
      });
      if (!res.ok) return;
      const answer = await res.json();
      for (const up of answer.uploads ?? []) {
        const hidden = form.querySelector(`input[type="hidden"][name="${CSS.escape(up.path)}"]`);
        if (hidden) hidden.value = up.mediaId;
        input.value = "";
        input.removeAttribute("aria-invalid");
        const field = input.closest(".upload");
        let shown = field?.querySelector(".uploaded");
        if (field && !shown) {
          shown = document.createElement("span");
          shown.className = "uploaded";
          field.querySelector("label")?.after(shown);
        }
        if (shown) {
          const link = document.createElement("a");
          link.href = up.href;
          link.textContent = up.mediaId;
          const items = [link];
          if (up.contentType.startsWith("image/")) {
            const img = document.createElement("img");
            img.src = up.href;
            img.alt = `${field.querySelector("label")?.textContent ?? ""} ${up.mediaId}`;
            const thumb = document.createElement("a");
            thumb.href = up.href;
            thumb.className = "thumb";
            thumb.append(img);
            items.unshift(thumb);
          }
          shown.replaceChildren(...items);
        }
        if (slot) for (const old of slot.querySelectorAll(".problem")) old.remove();
      }
      if (slot && answer.errors?.length) {
        for (const old of slot.querySelectorAll(".problem")) old.remove();
        for (const e of answer.errors) {
          const span = document.createElement("span");
          span.className = "problem";
          span.textContent = e.message;
          slot.prepend(span);
        }
        slot.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", slot.id);
        return;
      }
      soon();
    } catch {
      // The file is uploaded with the form instead.
    }
  });

  async function fill(select, parent) {
    const keep = select.value;
    const first = select.querySelector("option");
    select.replaceChildren(first);
    if (!/^\d{6}$/.test(parent)) return;
    const res = await fetch(`/v1/reference/regions?parent=${parent}`);
    if (!res.ok) return;
    const { items } = await res.json();
    for (const r of items) {
      const o = new Option(r.name, r.code, false, r.code === keep);
      select.append(o);
    }
  }
  const province = form.querySelector('select[data-region="province"]');
  const city = form.querySelector('select[data-region="city"]');
  const district = form.querySelector('select[data-region="district"]');
  province?.addEventListener("change", async () => {
    await fill(city, province.value);
    await fill(district, "");
    soon();
  });
  city?.addEventListener("change", async () => {
    await fill(district, city.value);
    soon();
  });
}
