// Draws an indicator's observations with Observable Plot, from the JSON the server put in the
// page (#zf-chart-data; built by app/api/embed/chart.py). Encoding:
//   x: the reference date (a period's end); a span is also drawn as a pale bar from its start.
//   actual: filled dot, solid strokes; target: hollow dot, dashed strokes.
//   more_than / at_least: a bound, drawn as a tick with an arrow toward where the value lies
//   (at_most, e.g. "within the top 100", points the other way); never as a plain dot.
//   range: a bar with ticks at both ends.  One colour per subject when there are several.
// Hover shows a tip; a click shows the source quote below the chart (#zf-detail).
(function () {
  "use strict";
  var Plot = window.Plot;
  var d3 = window.d3;
  var root = document.getElementById("zf-chart");
  var detail = document.getElementById("zf-detail");
  var data = JSON.parse(document.getElementById("zf-chart-data").textContent);
  var S = data.strings;
  var HEIGHT = 300;

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function parseDate(iso) {
    return iso ? new Date(iso + "T00:00:00Z") : null;
  }

  var subjectIndex = {};
  data.subjects.forEach(function (s) { subjectIndex[s.id] = s.index; });

  function colourOf(d) {
    if (!data.several_subjects) return d.kind === "target" ? cssVar("--target") : cssVar("--actual");
    return cssVar("--series-" + ((subjectIndex[d.subject] || 0) % 6 + 1));
  }

  var observations = data.observations.map(function (o) {
    return Object.assign({}, o, {
      date: parseDate(o.x),
      start: parseDate(o.x1),
      writtenStart: o.written ? parseDate(o.written[0]) : null,
      writtenEnd: o.written ? parseDate(o.written[1]) : null,
      // Where a label and the tip sit: a range's middle, otherwise the value (or the bound).
      yMid: o.y_high == null ? o.y : (o.y + o.y_high) / 2,
    });
  });
  var dated = observations.filter(function (o) { return o.dated; });
  var undated = observations.filter(function (o) { return !o.dated; });
  undated.forEach(function (o, i) {
    var base = o.subject_label || S.undated;
    o.slot = undated.length > 1 ? base + " " + (i + 1) : base;
  });

  // One y domain for both panels, with room for the bounds' arrows.
  function yDomain() {
    var values = [];
    observations.forEach(function (o) {
      values.push(o.y);
      if (o.y_high != null) values.push(o.y_high);
    });
    var lo = d3.min(values), hi = d3.max(values);
    if (data.axis.ticks === "roman") return [1, Math.max(5, Math.ceil(hi))];
    if (data.axis.ticks === "rank") lo = 1;
    else if (data.axis.zero) lo = Math.min(0, lo);
    var extent = hi - lo || Math.abs(hi) || 1;
    var arrow = extent * 0.18;
    observations.forEach(function (o) {
      if (o.bound > 0) hi = Math.max(hi, o.y + arrow);
      if (o.bound < 0) lo = Math.min(lo, o.y - arrow);
    });
    if (data.axis.ticks === "rank") lo = Math.max(1, lo);
    return [lo, hi + (hi - lo) * 0.08];
  }
  var domain = yDomain();
  var arrowLength = (domain[1] - domain[0]) * 0.16;
  // The y value drawn at the bottom of the plot (the top of the domain when it is reversed).
  function axisFloor() { return data.axis.reverse ? domain[1] : domain[0]; }

  // Dated values of several subjects that would sit on one spot (same date, value, kind and
  // shape) are drawn side by side, DODGE px apart (the last at the date, the others to its
  // left), so none hides another; the value label is written once for them.
  var DODGE = 12;
  var spots = {};
  observations.forEach(function (o) {
    if (!o.dated) return;
    var key = [o.x, o.y, o.y_high, o.bound, o.kind].join("|");
    (spots[key] = spots[key] || []).push(o);
  });
  Object.keys(spots).forEach(function (key) {
    var group = spots[key];
    group.forEach(function (o, i) {
      o.lane = i - (group.length - 1);  // leftwards: the last at the date, none past the axis
      o.labelled = i === group.length - 1;
    });
  });

  // Roughly how wide a label is at 11px: CJK characters are 1 em, others about 0.6 em.
  function labelWidth(text) {
    var w = 0;
    for (var ch of text) w += /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]/.test(ch) ? 11 : 6.6;
    return w;
  }

  function tickFormat(v) {
    if (data.axis.ticks === "roman") return ["", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ"][v] || "";
    if (data.axis.ticks === "rank") return Number.isInteger(v) ? S.rank_prefix + v : "";
    return d3.format(",")(v);
  }

  // Room for the widest y tick label (8-digit counts need more than the usual 56 px).
  var AXIS_LEFT = Math.max(56, Math.ceil(d3.max(yOptions().ticks || d3.ticks(domain[0], domain[1], 6),
    function (v) { return labelWidth(tickFormat(v)); }) || 0) + 16);

  function yOptions() {
    var options = {
      domain: domain,
      reverse: data.axis.reverse,
      label: data.axis.label,
      grid: true,
      tickFormat: tickFormat,
    };
    if (data.axis.ticks === "roman") options.ticks = d3.range(domain[0], domain[1] + 1);
    else if (data.axis.integer) {
      var ticks = d3.ticks(domain[0], domain[1], 6).filter(Number.isInteger);
      if (data.axis.ticks === "rank" && ticks[0] !== 1) ticks.unshift(1);
      options.ticks = ticks;
    }
    return options;
  }

  // The marks of one panel; x is a function of the observation (a date or a slot name).
  function marks(rows, x, withSpans) {
    var bg = cssVar("--bg");
    var byKind = function (rows, kind) { return rows.filter(function (o) { return o.kind === kind; }); };
    var out = [];
    if (withSpans) {
      var spans = rows.filter(function (o) { return o.start; });
      out.push(Plot.ruleY(spans.filter(function (o) { return o.y_high == null; }), {
        x1: "start", x2: "date", y: "y", stroke: colourOf, strokeOpacity: 0.22,
        strokeWidth: 8, strokeLinecap: "round",
      }));
      out.push(Plot.rect(spans.filter(function (o) { return o.y_high != null; }), {
        x1: "start", x2: "date", y1: "y", y2: "y_high", fill: colourOf, fillOpacity: 0.18,
      }));
      // The period the text names, when the value holds only at its end (by 2020, within
      // 2016–2020): dotted along the x axis, not at the value's level, which it never had.
      out.push(Plot.ruleY(rows.filter(function (o) { return o.writtenStart; }), {
        x1: "writtenStart", x2: "writtenEnd", y: axisFloor(), dy: -4, stroke: colourOf,
        strokeWidth: 2, strokeDasharray: "1,4", strokeLinecap: "round",
      }));
      // Lines join a subject's exact actual values only (a series has one basis, so they are
      // comparable): a bound or a target is not a level the series passed through.
      var joinable = rows.filter(function (o) {
        return o.kind === "actual" && o.bound === 0 && o.y_high == null;
      });
      out.push(Plot.line(joinable, {
        x: x, y: "y", z: "subject", stroke: colourOf, strokeOpacity: 0.6, strokeWidth: 1.5,
        sort: "date",
      }));
    }
    ["actual", "target"].forEach(function (kind) {
      var mine = byKind(rows, kind);
      var dash = kind === "target" ? "4,3" : null;
      var ranges = mine.filter(function (o) { return o.y_high != null; });
      var bounds = mine.filter(function (o) { return o.bound !== 0 && o.y_high == null; });
      var points = mine.filter(function (o) { return o.bound === 0 && o.y_high == null; });
      out.push(Plot.link(ranges, {
        x1: x, x2: x, y1: "y", y2: "y_high", stroke: colourOf, strokeWidth: 2.5,
        strokeDasharray: dash, markerStart: "tick", markerEnd: "tick", ariaLabel: "aria",
      }));
      out.push(Plot.link(bounds, {
        x1: x, x2: x, y1: "y", y2: function (o) { return o.y + o.bound * arrowLength; },
        stroke: colourOf, strokeWidth: 2.5, strokeDasharray: dash,
        markerStart: "tick", markerEnd: "arrow", ariaLabel: "aria",
      }));
      out.push(Plot.dot(points, {
        x: x, y: "y", r: 5, stroke: colourOf, strokeWidth: 2,
        fill: kind === "target" ? bg : colourOf, strokeDasharray: kind === "target" ? "2,2" : null,
        ariaLabel: "aria",
      }));
    });
    out.push(Plot.text(rows.filter(function (o) { return o.labelled !== false; }), {
      x: x, y: "yMid", text: "label", dx: 10, textAnchor: "start", fill: colourOf,
      stroke: bg, strokeWidth: 3, paintOrder: "stroke", fontSize: 11, ariaHidden: true,
    }));
    out.push(Plot.tip(rows, Plot.pointer({
      x: x, y: "yMid", title: "tip", maxRadius: 60, fontSize: 12, lineHeight: 1.3,
    })));
    return out;
  }

  function accessible(svg, title, desc) {
    var ns = "http://www.w3.org/2000/svg";
    var t = document.createElementNS(ns, "title");
    t.textContent = title;
    var d = document.createElementNS(ns, "desc");
    d.textContent = desc;
    svg.insertBefore(d, svg.firstChild);
    svg.insertBefore(t, svg.firstChild);
    svg.setAttribute("role", "img");
  }

  function showDetail(o) {
    if (!o) return;
    detail.replaceChildren();
    var h = document.createElement("h2");
    h.textContent = S.selected + (o.subject_label ? " · " + o.subject_label : "");
    var value = document.createElement("p");
    value.className = "detail-value";
    value.textContent = o.value_text + " · " + o.kind_label;
    var when = document.createElement("p");
    when.textContent = o.period_label + (o.period_dates && o.period_label.indexOf(o.period_dates) < 0
      ? " (" + o.period_dates + ")" : "") + " · " + o.qualifier_words;
    var quote = document.createElement("blockquote");
    quote.lang = "zh-Hans";
    o.quote.forEach(function (part) {
      var node = part[1] ? document.createElement("mark") : document.createTextNode(part[0]);
      if (part[1]) node.textContent = part[0];
      quote.appendChild(node);
    });
    var links = document.createElement("p");
    [[o.record_url, S.record_json], [o.text_url, S.document_text]].forEach(function (pair, i) {
      if (i) links.appendChild(document.createTextNode(" · "));
      var a = document.createElement("a");
      a.href = pair[0];
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = pair[1];
      links.appendChild(a);
    });
    detail.append(h, value, when, quote);
    if (o.note) {
      var caveat = document.createElement("p");
      caveat.className = "note";
      var label = document.createElement("strong");
      label.textContent = o.note_label + (data.lang === "zh" ? "：" : ": ");
      var words = document.createElement("span");
      words.lang = o.note_lang === "zh" ? "zh-Hans" : "en";
      words.textContent = o.note;
      caveat.append(label, words);
      detail.appendChild(caveat);
    }
    detail.appendChild(links);
    if (o.quote_ambiguous) {
      var note = document.createElement("p");
      note.className = "muted";
      note.textContent = o.quote_ambiguous;
      detail.appendChild(note);
    }
    detail.hidden = false;
  }

  function panel(cls, plot, heading) {
    var div = document.createElement("div");
    div.className = cls;
    if (heading) {
      var h = document.createElement("h2");
      h.textContent = heading;
      div.appendChild(h);
    }
    div.appendChild(plot);
    plot.addEventListener("click", function () { showDetail(plot.value); });
    return div;
  }

  function draw() {
    var width = Math.max(280, root.clientWidth);
    var undatedLabel = Math.min(160, (d3.max(undated, function (o) { return labelWidth(o.label); }) || 0) + 16);
    var undatedLeft = dated.length ? 16 : AXIS_LEFT;
    var undatedWidth = undated.length
      ? (dated.length ? Math.min(undatedLeft + 60 * undated.length + undatedLabel + 20, width * 0.45) : width)
      : 0;
    var datedWidth = width - undatedWidth - (undated.length && dated.length ? 8 : 0);
    var children = [];
    if (dated.length) {
      // Whole calendar years, labelled in their middle: a value for 2016 (drawn at its end,
      // 2016-12-31) sits above the label "2016", not next to "2017".
      var firstYear = d3.min(dated, function (o) { return (o.start || o.writtenStart || o.date).getUTCFullYear(); });
      var lastYear = d3.max(dated, function (o) { return o.date.getUTCFullYear(); });
      var yearMs = 365.25 * 864e5;
      var xDomain = [new Date(Date.UTC(firstYear, 0, 1) - yearMs * 0.15), new Date(Date.UTC(lastYear + 1, 0, 1) + yearMs * 0.1)];
      var years = d3.range(firstYear, lastYear + 1);
      var every = Math.max(1, Math.ceil(years.length / Math.max(2, (datedWidth - 80) / 56)));
      var labelled = years.filter(function (y) { return (y - firstYear) % every === 0; });
      var rightLabel = d3.max(dated, function (o) { return labelWidth(o.label); }) || 0;
      var marginRight = Math.min(200, rightLabel + 16);
      var msPerPx = (xDomain[1] - xDomain[0]) / Math.max(1, datedWidth - AXIS_LEFT - marginRight);
      dated.forEach(function (o) {
        o.drawDate = new Date(o.date.getTime() + (o.lane || 0) * DODGE * msPerPx);
      });
      var plot = Plot.plot({
        className: "zf-plot",
        width: datedWidth,
        height: HEIGHT,
        marginTop: 24,
        marginLeft: AXIS_LEFT,
        marginRight: marginRight,
        marginBottom: 28,
        style: { fontSize: "11px" },
        x: { type: "utc", domain: xDomain, label: null, axis: null },
        y: yOptions(),
        ariaLabel: S.title,
        ariaDescription: S.desc,
        marks: [
          Plot.axisX({ ticks: years.concat([lastYear + 1]).map(function (y) { return new Date(Date.UTC(y, 0, 1)); }), tickFormat: function () { return ""; }, label: null }),
          Plot.axisX({ ticks: labelled.map(function (y) { return new Date(Date.UTC(y, 6, 2)); }), tickSize: 0, tickPadding: 8, tickFormat: function (d) { return d.getUTCFullYear() + S.year_suffix; }, label: null }),
        ].concat(marks(dated, "drawDate", true)),
      });
      accessible(plot, S.title, S.desc);
      // With an undated panel beside it, an empty heading of the same height keeps the two
      // panels' y axes level.
      children.push(panel("panel-dated", plot, undated.length ? "\u00a0" : null));
    }
    if (undated.length) {
      var side = Plot.plot({
        className: "zf-plot",
        width: undatedWidth,
        height: HEIGHT,
        marginTop: 24,
        marginLeft: undatedLeft,
        marginRight: undatedLabel,
        style: { fontSize: "11px" },
        x: { type: "point", domain: undated.map(function (o) { return o.slot; }), axis: null, inset: 30 },
        marginBottom: 28,
        y: Object.assign(yOptions(), dated.length ? { axis: null } : {}),
        ariaLabel: S.title + " · " + S.undated,
        ariaDescription: S.desc,
        marks: marks(undated, "slot", false),
      });
      accessible(side, S.title + " · " + S.undated, S.desc);
      var aside = panel("panel-undated", side, S.undated);
      var note = document.createElement("p");
      note.className = "panel-note";
      note.textContent = S.undated_note;
      aside.appendChild(note);
      children.push(aside);
    }
    root.replaceChildren.apply(root, children);
    root.dataset.drawn = String(dated.length + undated.length);
  }

  var lastWidth = 0;
  var pending = 0;
  function redrawIfResized() {
    var w = root.clientWidth;
    if (Math.abs(w - lastWidth) < 2) return;
    lastWidth = w;
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(draw);
  }
  lastWidth = root.clientWidth;
  draw();
  if (typeof ResizeObserver === "function") new ResizeObserver(redrawIfResized).observe(root);
})();
