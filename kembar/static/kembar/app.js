// kembar: the little behaviour pages need, without inline scripts (Content-Security-Policy).
(function () {
  "use strict";

  // Language and other selects that submit their form on change; the button stays for no-JS.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });
  document.querySelectorAll("[data-autosubmit] ~ .js-hide").forEach(function (b) { b.hidden = true; });

  // Place autocomplete: a suggestion button carries the place id and label.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-place]");
    if (!button) return;
    event.preventDefault();
    var box = button.closest("[data-place-picker]");
    box.querySelector("input[type=hidden]").value = button.dataset.pickPlace;
    box.querySelector("[data-picked]").textContent = button.dataset.label;
    box.querySelector("input[type=search]").value = button.dataset.name;
    box.querySelector(".suggestions-box").innerHTML = "";
  });

  // Small maps: points and lines come from a JSON block next to the map element.
  function drawMaps() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(function (el) {
      var data = JSON.parse(document.getElementById(el.dataset.map).textContent);
      var map = L.map(el, { worldCopyJump: true, attributionControl: !!el.dataset.tiles });
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { maxZoom: 12, attribution: el.dataset.attribution || "" }).addTo(map);
      }
      var bounds = [];
      data.lines.forEach(function (line) {
        L.polyline(line, { color: "#b3261e", weight: 2, opacity: 0.7 }).addTo(map);
      });
      data.points.forEach(function (p) {
        var marker = L.circleMarker([p.lat, p.lng], { radius: 6, color: "#1d2733", fillOpacity: 0.9 }).addTo(map);
        marker.bindTooltip(p.name);
        marker.on("click", function () { window.location.href = p.url; });
        bounds.push([p.lat, p.lng]);
      });
      if (bounds.length > 1) map.fitBounds(bounds, { padding: [30, 30] });
      else if (bounds.length === 1) map.setView(bounds[0], 5);
      else map.setView([0, 0], 1);
    });
  }
  // Leaflet is loaded (deferred) after this script, only on pages with a map.
  window.addEventListener("load", drawMaps);
})();

// Forms that ask before they submit (delete buttons).
document.addEventListener("submit", function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
