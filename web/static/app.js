document.documentElement.classList.add("js");  // what folds away needs this script to unfold it

// On a phone the header's menu folds behind one button.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-menu-toggle]");
  if (!toggle) return;
  const open = toggle.closest("header").classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});

// Small helpers the pages need: the kiosk's name filter, the dashboard's live counter, the live board.
// Digits find a person by the last four of their phone, as typed from the first; letters by name.
function filterPeople(box) {
  const typed = box.value.trim().toLowerCase();
  const digits = /^[\d\s]+$/.test(typed);
  const wanted = digits ? typed.replace(/\s/g, "") : typed.replace(/\s+/g, " ");
  let shown = 0;
  document.querySelectorAll(box.dataset.filter).forEach((row) => {
    const tail = row.dataset.tail || "";
    const byDigits = wanted.length <= 4 ? tail.startsWith(wanted) : tail !== "" && wanted.endsWith(tail);
    const match = !wanted || (digits ? byDigits : row.dataset.name.toLowerCase().includes(wanted));
    row.hidden = !match;
    if (match) shown += 1;
  });
  const found = document.querySelector("[data-found]");
  if (found) found.textContent = wanted && !shown ? found.dataset.none : "";
}
document.addEventListener("input", (event) => {
  const box = event.target.closest("[data-filter]");
  if (box) filterPeople(box);
});
document.addEventListener("click", (event) => {
  const key = event.target.closest("[data-key]");
  if (!key) return;
  const box = document.querySelector(key.closest("[data-keypad]").dataset.keypad);
  const k = key.dataset.key;
  box.value = k === "clear" ? "" : k === "back" ? box.value.slice(0, -1) : box.value + k;
  filterPeople(box);
});
// At the kiosk a confirmation clears itself for the next person (pages come whole or by htmx).
function clearConfirmationSoon() {
  const done = document.querySelector(".kiosk [data-flash]");
  if (done && !done.dataset.clearing) {
    done.dataset.clearing = "yes";
    setTimeout(() => done.remove(), 8000);
  }
}
document.addEventListener("DOMContentLoaded", clearConfirmationSoon);
document.addEventListener("htmx:afterSettle", clearConfirmationSoon);

function followTallies() {
  const counter = document.querySelector("[data-live-tallies]");
  if (!counter || !window.EventSource) return;
  const source = new EventSource(counter.dataset.liveTallies);
  source.addEventListener("tally", (event) => {
    const data = JSON.parse(event.data);
    const format = new Intl.NumberFormat(document.documentElement.lang);
    const shown = format.format(data.total);
    const city = document.querySelector("[data-city-total]");
    if (city) city.textContent = format.format(data.city_total);
    if (counter.textContent !== shown) {
      counter.textContent = shown;
      const figures = document.querySelector("#figures");
      if (figures && window.htmx) htmx.ajax("GET", figures.dataset.source, { target: "#figures", swap: "innerHTML" });
    }
  });
}
document.addEventListener("DOMContentLoaded", followTallies);

// The live board fetches itself again when the roster moves (its stream's first event is
// where the roster stood when the page was drawn: nothing to fetch).
function followBoard() {
  const board = document.querySelector("[data-live-board]");
  if (!board || !window.EventSource || !window.htmx) return;
  let first = true;
  new EventSource(board.dataset.liveBoard).addEventListener("roster", () => {
    if (!first) htmx.trigger(board, "refresh");
    first = false;
  });
}
document.addEventListener("DOMContentLoaded", followBoard);

// Buttons that print the page (no inline script: the Content-Security-Policy forbids it).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// Choosing from a list marked data-autosubmit sends its form at once.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});

// A form refused or failed (4xx/5xx) is not swapped in by htmx: say the server's words above the
// page instead, and keep everything typed (never lose a person's input); say so, too, when the
// server cannot be reached at all.
function sayFailure(text) {
  const messages = document.getElementById("messages");
  if (!messages) return;
  messages.querySelectorAll("[data-failure]").forEach((old) => old.remove());
  const said = document.createElement("div");
  said.className = "flash error";
  said.setAttribute("role", "alert");
  said.dataset.failure = "";
  said.textContent = text;
  messages.prepend(said);
  said.scrollIntoView({ block: "center" });
}
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  const page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  const problem = page.querySelector("[data-problem]");
  sayFailure(problem ? problem.textContent.trim() : `${document.body.dataset.failed} (${xhr.status})`);
});
document.addEventListener("htmx:sendError", () => sayFailure(document.body.dataset.unreachable));

// A file is a file: a download link is never fetched into the page by htmx boost, whichever
// page drew it (../shared/UI.md "Links that are files stay files").
function unboostDownloads(root) {
  root.querySelectorAll("a[download]").forEach((link) => link.setAttribute("data-hx-boost", "false"));
}
document.addEventListener("DOMContentLoaded", () => unboostDownloads(document));
document.addEventListener("htmx:load", (event) => unboostDownloads(event.target));

// A destructive action says what will happen and waits for a yes (data-confirm holds the words).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// − and + beside a count: one tap each, never below nothing.
document.addEventListener("click", (event) => {
  const step = event.target.closest("[data-step-by]");
  if (!step) return;
  const box = document.getElementById(step.getAttribute("aria-controls"));
  const next = (parseInt(box.value, 10) || 0) + Number(step.dataset.stepBy);
  box.value = String(Math.max(0, Math.min(next, Number(box.max) || next)));
});

// What is typed into a [data-keep] field stays in this tab (sessionStorage, gone with the tab) until
// its form is done: a refused session's long note comes back, and is never sent anywhere else.
function keepDrafts() {
  if (document.querySelector("form[action$='/login']")) {  // logged out: nobody's drafts for the next person
    Object.keys(sessionStorage).filter((k) => k.startsWith("draft:")).forEach((k) => sessionStorage.removeItem(k));
    return;
  }
  const done = document.querySelector("[data-flash=ok][data-flash-form]");
  const who = document.body.dataset.account || "";
  document.querySelectorAll("form[data-form] [data-keep]").forEach((field) => {
    // one page's form of one person's: a note typed on one case never fills another's
    const key = `draft:${who}:${location.pathname}:${field.form.dataset.form}:${field.name}`;
    if (done && done.dataset.flashForm === field.form.dataset.form) sessionStorage.removeItem(key);
    else if (!field.value && sessionStorage.getItem(key)) field.value = sessionStorage.getItem(key);
    if (!field.dataset.kept) {
      field.dataset.kept = "yes";
      field.addEventListener("input", () => sessionStorage.setItem(key, field.value));
    }
  });
}
document.addEventListener("DOMContentLoaded", keepDrafts);
document.addEventListener("htmx:afterSettle", keepDrafts);

// A refused form: the first field it names gets the focus (and so the screen), not the top of the page.
function focusRefused() {
  const refused = document.querySelector("main [aria-invalid=true]");
  if (refused && document.activeElement !== refused) refused.focus();
}
document.addEventListener("DOMContentLoaded", focusRefused);
document.addEventListener("htmx:afterSettle", focusRefused);

// A table that scrolls within itself on a phone can be scrolled from the keyboard too.
function focusableScrollers() {
  document.querySelectorAll("main table").forEach((table) => {
    if (table.scrollWidth > table.clientWidth + 1) table.tabIndex = 0;
    else table.removeAttribute("tabindex");
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
document.addEventListener("htmx:afterSettle", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
