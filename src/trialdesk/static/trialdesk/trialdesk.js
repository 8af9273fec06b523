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
