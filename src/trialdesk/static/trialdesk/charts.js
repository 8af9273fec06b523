// Draws every Vega-Lite chart of the page ({% chart %} in core/templatetags/charts.py) with the vendored
// vega-embed, on load and in content htmx swaps in. The Content-Security-Policy forbids eval, so Vega's
// expressions run in vega-interpreter (ast + expr), and embed adds no <style> of its own (defaultStyle).
(function () {
  "use strict";

  const OPTIONS = {
    actions: false,
    renderer: "svg",
    defaultStyle: false,
    tooltip: false,
    ast: true,
  };

  function draw(box) {
    const block = document.getElementById(box.dataset.vegaSpec);
    if (!block || box.dataset.drawn) {
      return;
    }
    box.dataset.drawn = "yes";
    const spec = JSON.parse(block.textContent);
    const options = { ...OPTIONS, expr: window.vegaInterpreter.expressionInterpreter };
    box.textContent = "";
    window.vegaEmbed(box, spec, options).catch((error) => {
      box.textContent = `The chart could not be drawn: ${error.message}`;
    });
  }

  function drawAll(root) {
    if (!window.vegaEmbed || !window.vegaInterpreter) {
      return;
    }
    root.querySelectorAll("[data-vega-spec]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawAll(document));
  } else {
    drawAll(document); // loaded later, e.g. with content htmx swapped in
  }
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
})();
