// The dashboard at "/": built only on the public API of this origin (fetch /v1/…, /oembed), and
// itself an example of embedding: every card and the chart are the /embed/… pages in iframes,
// sized by the same postMessage protocol a third-party page uses.
// All text goes in with textContent: nothing from the API is parsed as HTML.

const T = {
  zh: {
    title: "株洲数据：来自原文的统计事实",
    search_label: "搜索数据、事件、产业链",
    search_empty: "没有结果。",
    search_short: "请输入至少2个字符。",
    headlines: "主要数据",
    headlines_lede: "每个数字都附原文引文、段落和字符位置，可逐一核对。",
    chart: "地区生产总值与目标",
    timeline: "大事记",
    chains: "产业链与产业体系",
    other_chains: "产业集群及其他",
    undated: "未注明日期",
    by: (d) => `截至${d}`,
    embed: "嵌入",
    embed_close: "收起",
    embed_iframe: "iframe 嵌入代码（含自适应高度脚本）",
    embed_badge: "徽章（Markdown）",
    copy: "复制",
    copied: "已复制",
    json: "JSON",
    card: "数据卡",
    quote: "原文引文",
    types: { metric: "数据", event: "事件", industry_chain: "产业链", entity: "实体" },
    source: (title, publisher, date) => `来源：《${title}》，${publisher}，${date}。`,
    version: (v) => `数据版本 ${v}`,
    translation_note: "引文为原文；英文标签为译文。",
    error: "无法载入：",
  },
  en: {
    title: "Zhuzhou facts: statistics from the source",
    search_label: "Search figures, events, industry chains",
    search_empty: "No results.",
    search_short: "Type at least 2 characters.",
    headlines: "Headline numbers",
    headlines_lede:
      "Each number carries its source quote, paragraph and character offsets, so you can check it.",
    chart: "GDP and its target",
    timeline: "Timeline",
    chains: "Industry chains and the industrial system",
    other_chains: "Clusters and other industries",
    undated: "undated",
    by: (d) => `by ${d}`,
    embed: "Embed this",
    embed_close: "Close",
    embed_iframe: "iframe snippet (with the auto-height script)",
    embed_badge: "Badge (Markdown)",
    copy: "Copy",
    copied: "Copied",
    json: "JSON",
    card: "card",
    quote: "source quote",
    types: { metric: "figure", event: "event", industry_chain: "industry chain", entity: "entity" },
    source: (title, publisher, date) => `Source: “${title}”, ${publisher}, ${date}.`,
    version: (v) => `dataset ${v}`,
    translation_note: "English labels are our translations; the quote is the source's own words.",
    error: "Could not load: ",
  },
};

// The service's public base (scheme, host and any path prefix), as the server wrote it.
const BASE = document.body.dataset.base || "";
const params = new URLSearchParams(location.search);
let lang = params.get("lang") === "en" ? "en" : "zh";
const theme = params.get("theme") === "dark" ? "dark" : "light";
const cache = new Map();

function t(key) {
  return T[lang][key];
}

async function api(path) {
  if (!cache.has(path)) {
    cache.set(
      path,
      fetch(BASE + path, { headers: { Accept: "application/json" } }).then((r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status}`);
        return r.json();
      }),
    );
  }
  return cache.get(path);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

// A URL of ours: a path gets the base; an absolute URL is kept.
function href(path) {
  return path.startsWith("/") ? BASE + path : path;
}

function label(pair) {
  if (!pair) return "";
  return pair[lang] || pair[lang === "zh" ? "en" : "zh"] || "";
}

function htmlLang(code) {
  return code === "zh" ? "zh-Hans" : code;
}

function embedQuery() {
  const q = new URLSearchParams();
  if (lang !== "zh") q.set("lang", lang);
  if (theme !== "light") q.set("theme", theme);
  const s = q.toString();
  return s ? `?${s}` : "";
}

// Our own embeds report their height like anyone else's (see /static/embed/resize.js).
window.addEventListener("message", (event) => {
  const data = event.data;
  if (event.origin !== location.origin || !data || data.type !== "zhuzhou-facts:height") return;
  for (const frame of document.querySelectorAll("iframe")) {
    if (frame.contentWindow === event.source) frame.style.height = `${data.height}px`;
  }
});

function showError(container, error) {
  container.replaceChildren(el("p", { class: "error", text: t("error") + error.message }));
}

// ---- embed this -------------------------------------------------------------------------

function embedBox(pageUrl, badge) {
  const box = el("div", { class: "embed-box", hidden: true });
  const button = el("button", { type: "button", class: "embed-button", "aria-expanded": "false" });
  button.textContent = t("embed");
  button.addEventListener("click", async () => {
    const open = box.hidden;
    box.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? t("embed_close") : t("embed");
    if (!open || box.dataset.loaded) return;
    try {
      const oembed = await api(`/oembed?${new URLSearchParams({ url: pageUrl, format: "json" })}`);
      box.append(snippet(t("embed_iframe"), oembed.html));
      if (badge) {
        const markdown = `[![${badge.alt.replace(/[[\]]/g, "")}](${badge.url})](${pageUrl})`;
        box.append(snippet(t("embed_badge"), markdown), el("img", { src: badge.url, alt: badge.alt }));
      }
      box.dataset.loaded = "1";
    } catch (error) {
      showError(box, error);
    }
  });
  return [button, box];
}

function snippet(title, code) {
  const id = `snippet-${Math.random().toString(36).slice(2, 9)}`;
  const area = el("textarea", { id, readonly: true, rows: 4, spellcheck: "false" });
  area.value = code;
  const copy = el("button", { type: "button", class: "copy" });
  copy.textContent = t("copy");
  copy.addEventListener("click", async () => {
    area.select();
    try {
      await navigator.clipboard.writeText(code);
      copy.textContent = t("copied");
    } catch {
      // Clipboard needs a secure context; the text is selected for Ctrl+C instead.
    }
  });
  return el("div", { class: "snippet" }, el("label", { for: id, text: title }), area, copy);
}

// ---- sections ---------------------------------------------------------------------------

async function renderCards() {
  const container = document.getElementById("cards");
  try {
    const wanted = document.body.dataset.headlines.split(",");
    const all = (await api("/v1/metrics?limit=500")).items;
    const byId = new Map(all.map((m) => [m.id, m]));
    const cards = wanted.filter((id) => byId.has(id)).map((id) => {
      const metric = byId.get(id);
      const src = href(`/embed/metrics/${encodeURIComponent(id)}${embedQuery()}`);
      const name = label(metric.name);
      const frame = el("iframe", {
        src, title: `${name} (${t("card")})`, loading: "lazy", class: "card-frame",
      });
      const badgeQuery = lang === "zh" ? "" : `?lang=${lang}`;
      const badge = { url: href(`/embed/metrics/${encodeURIComponent(id)}/badge.svg${badgeQuery}`), alt: name };
      return el("div", { class: "card-cell", "data-metric": id }, frame, ...embedBox(src, badge));
    });
    container.replaceChildren(...cards);
  } catch (error) {
    showError(container, error);
  }
}

async function renderChart() {
  const container = document.getElementById("chart");
  const id = document.body.dataset.chart;
  try {
    const indicator = await api(`/v1/indicators/${encodeURIComponent(id)}`);
    const src = href(`/embed/indicators/${encodeURIComponent(id)}/chart${embedQuery()}`);
    const frame = el("iframe", { src, title: label(indicator.name), class: "chart-frame" });
    container.replaceChildren(frame, ...embedBox(src, null));
  } catch (error) {
    showError(container, error);
  }
}

function dateText(date) {
  if (!date) return t("undated");
  const trim = (iso) => {
    if (date.precision === "year" || date.precision === "years") return iso.slice(0, 4);
    if (date.precision === "month") return iso.slice(0, 7);
    return iso;
  };
  if (!date.start) return t("by")(trim(date.end));
  const [a, b] = [trim(date.start), trim(date.end)];
  return a === b ? a : `${a} – ${b}`;
}

function quoteBlock(source) {
  return el("blockquote", { lang: "zh-Hans", class: "quote", text: source.quote });
}

async function renderTimeline() {
  const list = document.getElementById("timeline");
  try {
    const events = (await api("/v1/timeline?limit=500")).items;
    list.replaceChildren(
      ...events.map((event) =>
        el(
          "li",
          { class: event.date ? "" : "undated" },
          el("time", event.date ? { datetime: event.date.start || event.date.end } : {}, dateText(event.date)),
          event.date && event.date.as_written
            ? el("span", { class: "as-written", lang: "zh-Hans", text: event.date.as_written })
            : null,
          el("p", { class: "event-title", lang: htmlLang(event.title[lang] ? lang : "zh"), text: label(event.title) }),
          quoteBlock(event.source),
          el("a", { href: href(`/v1/timeline/${encodeURIComponent(event.id)}`), class: "json", text: t("json") }),
        ),
      ),
    );
  } catch (error) {
    showError(list, error);
  }
}

function chainNode(chain, byId) {
  const children = (chain.children || []).map((id) => byId.get(id)).filter(Boolean);
  const head = el(
    "div",
    { class: `chain-head kind-${chain.kind}` },
    el("span", { class: "chain-name", lang: htmlLang(chain.name[lang] ? lang : "zh"), text: label(chain.name) }),
    lang === "en" ? el("span", { class: "as-written", lang: "zh-Hans", text: chain.as_written }) : null,
    el("a", { href: href(`/v1/industry-chains/${encodeURIComponent(chain.id)}`), class: "json", text: t("json") }),
  );
  const details = el("details", { class: "chain-quote" }, el("summary", { text: t("quote") }), quoteBlock(chain.source));
  return el(
    "li",
    {},
    head,
    details,
    children.length ? el("ul", {}, ...children.map((c) => chainNode(c, byId))) : null,
  );
}

async function renderChains() {
  const container = document.getElementById("chains");
  try {
    const chains = (await api("/v1/industry-chains?limit=500")).items;
    const byId = new Map(chains.map((c) => [c.id, c]));
    const systems = chains.filter((c) => c.kind === "system" && !c.parent);
    const inTree = new Set();
    const mark = (c) => {
      inTree.add(c.id);
      (c.children || []).forEach((id) => byId.has(id) && mark(byId.get(id)));
    };
    systems.forEach(mark);
    const others = chains.filter((c) => !inTree.has(c.id) && !c.parent);
    container.replaceChildren(
      ...systems.map((s) => el("ul", { class: "tree" }, chainNode(s, byId))),
      el("h3", { text: t("other_chains") }),
      el("ul", { class: "tree flat" }, ...others.map((c) => chainNode(c, byId))),
    );
  } catch (error) {
    showError(container, error);
  }
}

async function renderSource() {
  try {
    const meta = await api("/v1");
    const doc = meta.documents[0];
    document.getElementById("source-line").textContent =
      t("source")(label(doc.title), label(doc.publisher), doc.published) +
      " " + t("version")(meta.dataset_version.slice(0, 12));
    document.getElementById("attribution").textContent = meta.attribution;
  } catch (error) {
    showError(document.getElementById("source-line"), error);
  }
}

// ---- search -----------------------------------------------------------------------------

let searchTimer = 0;
let searchSeq = 0;

async function runSearch() {
  const q = document.getElementById("search-input").value.trim();
  const out = document.getElementById("search-results");
  if (!q) {
    out.hidden = true;
    out.replaceChildren();
    return;
  }
  out.hidden = false;
  if ([...q].length < 2) {
    out.replaceChildren(el("p", { class: "muted", text: t("search_short") }));
    return;
  }
  const seq = ++searchSeq;
  try {
    const found = await api(`/v1/search?${new URLSearchParams({ q, limit: "20" })}`);
    if (seq !== searchSeq) return; // a newer query is on its way
    if (!found.items.length) {
      out.replaceChildren(el("p", { class: "muted", text: t("search_empty") }));
      return;
    }
    out.replaceChildren(
      el(
        "ul",
        {},
        ...found.items.map((item) =>
          el(
            "li",
            {},
            el("span", { class: `type type-${item.type}`, text: t("types")[item.type] || item.type }),
            el("span", { class: "result-name", text: label(item.name) }),
            item.quote ? el("q", { lang: "zh-Hans", text: item.quote }) : null,
            el("a", { href: href(item.url), class: "json", text: t("json") }),
            item.type === "metric"
              ? el("a", { href: href(`/embed/metrics/${encodeURIComponent(item.id)}${embedQuery()}`), class: "json", text: t("card") })
              : null,
          ),
        ),
      ),
    );
  } catch (error) {
    if (seq === searchSeq) showError(out, error);
  }
}

// ---- language ---------------------------------------------------------------------------

function applyStaticText() {
  document.documentElement.lang = htmlLang(lang);
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const button of document.querySelectorAll(".lang-switch button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
}

function render() {
  applyStaticText();
  renderSource();
  renderCards();
  renderChart();
  renderTimeline();
  renderChains();
  runSearch();
}

for (const button of document.querySelectorAll(".lang-switch button")) {
  button.addEventListener("click", () => {
    if (button.dataset.lang === lang) return;
    lang = button.dataset.lang;
    const url = new URL(location.href);
    if (lang === "zh") url.searchParams.delete("lang");
    else url.searchParams.set("lang", lang);
    history.replaceState(null, "", url);
    render();
  });
}

document.getElementById("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  runSearch();
});
document.getElementById("search-input").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 200);
});

render();
