// Alt+click on a link keeps that download in the browser (Chromium saves a
// link on Alt+click): tells the background which link, for a few seconds.
"use strict";
document.addEventListener(
  "click",
  (event) => {
    if (!event.altKey) return;
    const link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (link) chrome.runtime.sendMessage({ keep: link.href }).catch(() => {});
  },
  true,
);
