// Review workbench enhancements (src/routes/console/staff-filing.tsx): keyboard shortcuts, clicking a field to choose
// it for rejection, and a common reason's suggestion filled in. The pages work without this script.

const typing = (el) =>
  el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));

const rows = () => [...document.querySelectorAll("a[data-row]")];

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
  const key = e.key;
  // On the queue, j and k move between filings; Enter opens the one focused.
  const list = rows();
  if (list.length > 0 && (key === "j" || key === "k")) {
    const at = list.indexOf(document.activeElement);
    const next = key === "j" ? Math.min(at + 1, list.length - 1) : Math.max(at - 1, 0);
    list[at === -1 ? 0 : next].focus();
    e.preventDefault();
    return;
  }
  const target = document.querySelector(`[data-key~="${CSS.escape(key)}"]`);
  if (!target) return;
  e.preventDefault();
  const form = target.closest("form");
  if (form?.classList.contains("reject-form") && !form.querySelector("input[name=field]:checked")) {
    // Nothing chosen yet: start with the first field.
    form.querySelector("input[name=field]")?.focus();
    return;
  }
  const number = form?.querySelector("input[name=registrationNumber]");
  if (number && number.value.trim() === "" && document.activeElement !== number) {
    // The regulator's approval wants the bureau's number: type it, then Enter approves.
    number.focus();
    return;
  }
  target.click();
});

// Clicking a field (not one of its inputs) chooses it for rejection, or takes it back.
document.addEventListener("click", (e) => {
  const el = e.target;
  if (!(el instanceof Element)) return;
  const row = el.closest(".rj-row");
  if (!row || el.closest("input,select,textarea,label,a,button")) return;
  const box = row.querySelector("input[name=field]");
  if (!box) return;
  box.checked = !box.checked;
  if (box.checked) row.querySelector("select")?.focus();
});

// A common reason picked fills in its suggestion, unless one was written.
document.addEventListener("change", (e) => {
  const select = e.target;
  if (!(select instanceof HTMLSelectElement) || !select.name.startsWith("pick:")) return;
  const row = select.closest(".rj-row");
  const suggest = row?.querySelector('input[name^="suggest:"]');
  if (!suggest) return;
  const offered = select.selectedOptions[0]?.dataset.suggest ?? "";
  if (suggest.value === "" || suggest.dataset.filled === suggest.value) {
    suggest.value = offered;
    suggest.dataset.filled = offered;
  }
});
