// Tells the page that frames this one how tall it is, so a one-line script there can size the
// iframe (the responsive-embed convention, as Datawrapper's "datawrapper-height" messages do).
// Message: {"type": "zhuzhou-facts:height", "height": <CSS pixels>, "url": <this page's URL>}.
// Sent on load and whenever the content's height changes (fonts, language, window width).
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = -1;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    // The height is not secret and the embedding origin is unknown in advance: "*" is right.
    window.parent.postMessage({ type: "zhuzhou-facts:height", height: height, url: location.href }, "*");
  }
  if (typeof ResizeObserver === "function") new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(send);
  send();
})();
