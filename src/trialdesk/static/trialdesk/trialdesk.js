// What pages used to do with inline script (onclick="…"): the Content-Security-Policy allows only this
// site's script files. Listeners sit on the document, so content htmx swaps in later works too.

// A suggestion button fills a field with its text and tells htmx the field changed
// (<button type="button" data-fill="id_ctcae_term">Nausea</button>).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-fill]");
  const field = button && document.getElementById(button.dataset.fill);
  if (field) {
    field.value = button.textContent;
    field.dispatchEvent(new Event("change"));
  }
});

// A form that saves the page as it is now filtered (a saved portfolio view) sends the address bar's query,
// which htmx keeps current as the filters change (<form data-query-from-location>, field "query").
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-query-from-location]");
  const field = form && form.querySelector("input[name=query]");
  if (field) {
    field.value = window.location.search.replace(/^\?/, "");
  }
});

// Searchable pickers: a long list to pick from (people, sites, studies, institutions: more than
// LONG_LIST options) gets a search box above it that narrows the options as one types; the list keeps
// its name, so the form posts as before. Opt out with data-no-search; opt in a shorter one with
// data-search. Run on load and on the content htmx swaps in.
const LONG_LIST = 12;

function searchablePickers(root) {
  root.querySelectorAll("select:not([multiple]):not([data-no-search])").forEach((select) => {
    if (select.dataset.searchReady || (select.options.length <= LONG_LIST && !("search" in select.dataset))) {
      return;
    }
    select.dataset.searchReady = "1";
    const label = select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "the list";
    const box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.placeholder = "Search…";
    box.setAttribute("aria-label", `Search ${label}`);
    box.setAttribute("aria-controls", select.id || "");
    box.addEventListener("input", () => {
      const words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      for (const option of select.options) {
        const text = option.textContent.toLowerCase();
        option.hidden = option.value !== "" && !words.every((word) => text.includes(word));
      }
      // The only match is picked, so Enter or Tab after typing picks it.
      const matches = [...select.options].filter((o) => !o.hidden && o.value !== "");
      if (matches.length === 1 && select.value !== matches[0].value) {
        select.value = matches[0].value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    select.before(box);
  });
}

document.addEventListener("DOMContentLoaded", () => searchablePickers(document));
document.addEventListener("htmx:afterSwap", (event) => searchablePickers(event.target));
