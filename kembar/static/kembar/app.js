// kembar: the little behaviour pages need, without inline scripts (Content-Security-Policy).
(function () {
  "use strict";

  // Language and other selects that submit their form on change; the button stays for no-JS.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });
  document.querySelectorAll("[data-autosubmit] ~ .js-hide").forEach(function (b) { b.hidden = true; });

  // Autocomplete (the place picker of a new partnership, and core's Autocomplete widget): a
  // suggestion button carries the value to keep (data-pick), the text for the box (data-name)
  // and the label shown beside it (data-label).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick]");
    if (!button) return;
    event.preventDefault();
    var box = button.closest("[data-place-picker], [data-picker]");
    var search = box.querySelector("input[type=search]");
    if (box.dataset.multiple) {
      // Several values: a chip per pick, with its hidden input and a button that removes it.
      var chips = box.querySelector("[data-chips]");
      var already = Array.prototype.some.call(chips.querySelectorAll("input"), function (i) {
        return i.value === button.dataset.pick;
      });
      if (!already) {
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.appendChild(document.createTextNode(button.dataset.label + " "));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.dataset.unpick = "";
        remove.setAttribute("aria-label", "× " + button.dataset.label);
        remove.textContent = "×";
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = box.dataset.multiple;
        input.value = button.dataset.pick;
        chip.appendChild(remove);
        chip.appendChild(input);
        chips.appendChild(chip);
      }
      search.value = "";
    } else {
      box.querySelector("input[type=hidden]").value = button.dataset.pick;
      var picked = box.querySelector("[data-picked]");
      if (picked) picked.textContent = button.dataset.label;
      search.value = button.dataset.name;
      search.dataset.pickedText = button.dataset.name;
    }
    box.querySelector(".suggestions-box").innerHTML = "";
    search.focus();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-unpick]");
    if (button) button.closest(".chip").remove();
  });
  // Typing again in an autocomplete forgets what was picked: the text is what counts now.
  document.addEventListener("input", function (event) {
    var search = event.target;
    if (!search.matches("[data-picker]:not([data-multiple]) input[type=search]")) return;
    if (search.value === search.dataset.pickedText) return;
    search.closest("[data-picker]").querySelector("input[type=hidden]").value = "";
  });
  // Escape closes the suggestions.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var box = event.target.closest && event.target.closest("[data-picker]");
    if (box) box.querySelector(".suggestions-box").innerHTML = "";
  });

  // Item rows (core's Rows widget): add a blank row from the <template>, remove a row (the
  // last one is emptied instead, so there is always a row to type in).
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    var remove = event.target.closest("[data-remove-row]");
    if (!add && !remove) return;
    var rows = event.target.closest("[data-rows]");
    var body = rows.querySelector("tbody");
    if (add) {
      body.appendChild(rows.querySelector("template").content.cloneNode(true));
      body.lastElementChild.querySelector("input").focus();
    } else if (body.children.length > 1) {
      remove.closest("tr").remove();
      body.querySelector("input").focus();
    } else {
      remove.closest("tr").querySelectorAll("input").forEach(function (i) { i.value = ""; });
    }
  });

  // Small maps: points and lines come from a JSON block next to the map element.
  // Longitudes are unwrapped around the first point (the centre government), so a Bandung –
  // Fort Worth line crosses the Pacific, as the shortest way does, instead of the whole world.
  function unwrap(lng, ref) {
    while (lng - ref > 180) lng -= 360;
    while (lng - ref < -180) lng += 360;
    return lng;
  }
  // A ring that crosses the antimeridian (Russia, Fiji) is drawn on one side of it.
  function mendRing(ring) {
    var lngs = ring.map(function (c) { return c[0]; });
    if (Math.max.apply(null, lngs) - Math.min.apply(null, lngs) <= 180) return ring;
    return ring.map(function (c) { return [c[0] < 0 ? c[0] + 360 : c[0], c[1]]; });
  }
  function drawOutline(map, el) {
    // No tile server: the bundled Natural Earth country outlines, one copy per world width.
    el.classList.add("map-offline");
    fetch(el.dataset.outline).then(function (r) { return r.json(); }).then(function (world) {
      var countries = topojson.feature(world, world.objects.countries);
      countries.features = countries.features.filter(function (f) { return f.id !== "010"; });  // Antarctica
      countries.features.forEach(function (f) {
        var g = f.geometry;
        if (g.type === "Polygon") g.coordinates = g.coordinates.map(mendRing);
        else if (g.type === "MultiPolygon") g.coordinates = g.coordinates.map(function (p) { return p.map(mendRing); });
      });
      [-360, 0, 360].forEach(function (shift) {
        L.geoJSON(countries, {
          coordsToLatLng: function (c) { return L.latLng(c[1], c[0] + shift); },
          style: { color: "#9aa5b1", weight: 0.6, fillColor: "#eef1f3", fillOpacity: 1 },
          interactive: false
        }).addTo(map).bringToBack();
      });
      el.dataset.outlineDrawn = "1";
    });
  }
  function drawMaps() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(function (el) {
      var data = JSON.parse(document.getElementById(el.dataset.map).textContent);
      var map = L.map(el, { worldCopyJump: !!el.dataset.tiles, attributionControl: !!el.dataset.tiles });
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { maxZoom: 12, attribution: el.dataset.attribution || "" }).addTo(map);
      } else if (el.dataset.outline && typeof topojson !== "undefined") {
        drawOutline(map, el);
      }
      var ref = data.centre ? data.centre.lng : (data.points.length ? data.points[0].lng : 0);
      var bounds = [];
      data.lines.forEach(function (line) {
        var a = [line[0][0], unwrap(line[0][1], ref)], b = [line[1][0], unwrap(line[1][1], ref)];
        L.polyline([a, b], { color: "#b3261e", weight: 2, opacity: 0.7 }).addTo(map);
      });
      data.points.forEach(function (p) {
        var at = [p.lat, unwrap(p.lng, ref)];
        var marker = L.circleMarker(at, { radius: 6, color: "#1d2733", fillOpacity: 0.9 }).addTo(map);
        // A name is text, never markup: Leaflet reads a string tooltip as HTML.
        var label = document.createElement("span");
        label.textContent = p.name;
        marker.bindTooltip(label);
        marker.on("click", function () { window.location.href = p.url; });
        bounds.push(at);
      });
      if (bounds.length > 1) map.fitBounds(bounds, { padding: [30, 30] });
      else if (bounds.length === 1) map.setView(bounds[0], 5);
      else map.setView([0, 0], 1);
    });
  }
  // The health map (/insights/map/): thousands of lines from compact JSON
  // ([lat_a, lng_a, lat_b, lng_b, level, id, state]), drawn on one canvas, coloured by health state,
  // in the order sent (no record first, thin and grey, the healthiest last, on top).
  var STATE_COLOURS = {  // as .state-* in kembar.css
    no_record: "#9aa3ad", dormant: "#6a3d9a", struggling: "#b3261e", slowing: "#c77700", thriving: "#2e7d32"
  };
  function drawHealthMaps() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-health-map]").forEach(function (el) {
      var map = L.map(el, { worldCopyJump: !!el.dataset.tiles, attributionControl: !!el.dataset.tiles,
                            preferCanvas: true });
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { maxZoom: 12, attribution: el.dataset.attribution || "" }).addTo(map);
      } else if (el.dataset.outline && typeof topojson !== "undefined") {
        drawOutline(map, el);
      }
      map.setView([10, 110], 2);
      fetch(el.dataset.healthMap, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) {
          var began = performance.now();
          var renderer = L.canvas({ padding: 0.5 });
          var ref = data.lines.length ? data.lines[0][1] : 0;
          var bounds = [];
          data.lines.forEach(function (l) {
            var a = [l[0], unwrap(l[1], ref)], b = [l[2], unwrap(l[3], a[1])];
            var state = data.states[l[6]], listed = state === "no_record";
            L.polyline([a, b], { renderer: renderer, color: STATE_COLOURS[state], weight: listed ? 1 : 1.5,
                                 opacity: listed ? 0.2 : 0.7, interactive: false }).addTo(map);
            bounds.push(a, b);
          });
          // A scope of its own (data-fit: the oversight roll-up) is fitted whatever its number of lines.
          if (bounds.length && (data.lines.length < 500 || el.dataset.fit)) map.fitBounds(bounds, { padding: [20, 20] });
          el.dataset.drawMs = String(Math.round(performance.now() - began));  // read by the benchmark
          el.dataset.lines = String(data.lines.length);
        });
    });
  }
  // Leaflet is loaded (deferred) after this script, only on pages with a map.
  window.addEventListener("load", drawMaps);
  window.addEventListener("load", drawHealthMaps);
})();

// Forms that ask before they submit (delete buttons).
document.addEventListener("submit", function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// The header's menu groups (<details>): one open at a time; a click elsewhere or Escape closes it.
(function () {
  "use strict";
  var groups = function () { return document.querySelectorAll(".nav-groups details"); };
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches(".nav-groups details") || !opened.open) return;
    groups().forEach(function (d) { if (d !== opened) d.open = false; });
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target.closest(".nav-groups")) return;
    groups().forEach(function (d) { d.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector(".nav-groups details[open]");
    if (open) { open.open = false; open.querySelector("summary").focus(); return; }
    var menu = document.querySelector(".site-menu[open]");
    if (menu) { menu.open = false; menu.querySelector("summary").focus(); }
  });
})();

// "Copy the link" buttons: data-copy names the input whose value goes to the clipboard; without
// clipboard access the text is selected for the user to copy.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.dataset.copy);
  if (!source) return;
  source.select();
  if (navigator.clipboard) navigator.clipboard.writeText(source.value).catch(function () {});
});
