// Draws every Vega-Lite chart of the page ({% chart %} in core/templatetags/charts.py) with the vendored
// vega-embed, on load and in content htmx swaps in. {% chart_scripts %} loads only this file; it loads
// Vega, Vega-Lite, vega-embed and vega-interpreter one after the other (scripts that htmx swaps in would
// otherwise run in whatever order they arrive). The Content-Security-Policy forbids eval, so Vega's
// expressions run in vega-interpreter (ast + expr), and embed adds no <style> of its own (defaultStyle).
(function () {
  "use strict";

  if (window.trialdeskCharts) {
    window.trialdeskCharts.drawAll(document); // swapped in again: the libraries are there
    return;
  }

  const OPTIONS = {
    actions: false,
    renderer: "svg",
    defaultStyle: false,
    tooltip: false,
    ast: true,
  };
  const script = document.currentScript;
  const libraries = ((script && script.dataset.vegaLibraries) || "").split(" ").filter(Boolean);

  function load(url) {
    return new Promise((resolve, reject) => {
      const element = document.createElement("script");
      element.src = url;
      element.async = false;
      element.addEventListener("load", resolve);
      element.addEventListener("error", () => reject(new Error(`${url} did not load`)));
      document.head.appendChild(element);
    });
  }

  let loaded = null;
  function librariesLoaded() {
    if (loaded === null) {
      loaded = window.vegaEmbed
        ? Promise.resolve()
        : libraries.reduce((previous, url) => previous.then(() => load(url)), Promise.resolve());
    }
    return loaded;
  }

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
    const boxes = root.querySelectorAll("[data-vega-spec]");
    if (boxes.length === 0) {
      return;
    }
    librariesLoaded()
      .then(() => boxes.forEach(draw))
      .catch((error) => {
        boxes.forEach((box) => {
          box.textContent = `The chart could not be drawn: ${error.message}`;
        });
      });
  }

  window.trialdeskCharts = { drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawAll(document));
  } else {
    drawAll(document); // loaded after the page, e.g. with content htmx swapped in
  }
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
})();
