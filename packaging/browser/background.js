// Haul's extension: takes over downloads the user starts (by the rules in
// rules.js) and the links chosen from the context menu, handing them to Haul
// through native messaging (`haul native-host`), else through Haul's aria2
// RPC endpoint with the paired secret. The browser's own download is
// cancelled only once Haul said the job exists; otherwise it goes on.
"use strict";
if (typeof importScripts === "function") importScripts("rules.js");

const HOST = "invalid.example.haul";
// How much longer a hand-off may take when Haul's window may have to start to
// ask where to save (on top of the settings' handoffTimeoutS, 5 s by default).
const ASK_EXTRA_MS = 4000;
// How long an Alt+click keeps its link's download in the browser.
const KEEP_MS = 10000;
// Links whose next download stays in the browser (Alt+click), with when.
const keep = new Map();

async function settings() {
  return chrome.storage.local.get(DEFAULT_SETTINGS);
}

function withTimeout(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// One request to the native host; rejects with the host's error or the browser's.
async function native(message) {
  const answer = await chrome.runtime.sendNativeMessage(HOST, message);
  if (!answer || answer.ok !== true) throw new Error((answer && answer.error) || "no answer from Haul");
  return answer.result;
}

// One aria2 call to Haul's RPC endpoint with the paired secret.
async function aria2(s, method, params) {
  if (!s.rpcSecret) throw new Error("not paired with Haul's aria2 RPC endpoint (no secret)");
  const body = { jsonrpc: "2.0", id: "haul-extension", method, params: [`token:${s.rpcSecret}`, ...params] };
  const response = await fetch(s.rpcUrl, { method: "POST", body: JSON.stringify(body) });
  const answer = await response.json();
  if (answer.error) throw new Error(`aria2 RPC: ${answer.error.message}`);
  return answer.result;
}

// Tries native messaging, then the RPC endpoint; says which way worked.
async function toHaul(nativeMessage, viaRpc) {
  const s = await settings();
  try {
    return { way: "native", result: await native(nativeMessage) };
  } catch (nativeError) {
    if (!s.rpcSecret) throw nativeError;
    try {
      return { way: "aria2", result: await viaRpc(s) };
    } catch (rpcError) {
      throw new Error(`${nativeError.message}; ${rpcError.message}`);
    }
  }
}

// What the site needs for `url`: its cookies, the page, the browser's agent, the tab.
async function describe(url, extra) {
  let cookies = "";
  try {
    cookies = cookieHeader(await chrome.cookies.getAll({ url }));
  } catch (_) {
    // No cookie access for this URL: none sent.
  }
  let tab = {};
  try {
    const [active] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    if (active) tab = { tab_url: active.url, tab_title: active.title };
  } catch (_) {
    // No tab: nothing to add.
  }
  return Object.assign({ url, cookies, user_agent: navigator.userAgent }, tab, extra);
}

async function handOff(download, ask) {
  return toHaul({ command: "add", download, ask: Boolean(ask) }, (s) =>
    aria2(s, "aria2.addUri", [[download.url], aria2Options(download)]),
  );
}

// A browser download: Haul's if the rules say so and Haul confirms in time.
async function takeOver(item) {
  const url = item.finalUrl || item.url;
  const kept = keep.get(url);
  if (kept && Date.now() - kept < KEEP_MS) {
    keep.delete(url);
    return false;
  }
  const s = await settings();
  const decision = shouldTake(item, s);
  if (!decision.take) return false;
  const download = await describe(url, {
    referrer: item.referrer || undefined,
    filename: fileName(item) || undefined,
    size: Number(item.totalBytes || item.fileSize || -1),
    mime: item.mime || undefined,
  });
  const ask = s.askWhereToSave;
  const wait = Math.max(1, Number(s.handoffTimeoutS) || 5) * 1000 + (ask ? ASK_EXTRA_MS : 0);
  const done = await withTimeout(handOff(download, ask), wait, "Haul");
  console.info(`Haul took over ${url} (${done.way})`);
  await chrome.downloads.cancel(item.id).catch(() => {});
  await chrome.downloads.erase({ id: item.id }).catch(() => {});
  return true;
}

if (chrome.downloads.onDeterminingFilename) {
  // Chromium: the download waits for its name, so no byte of it lands in the
  // browser's folder while Haul is asked; any failure lets it go on.
  chrome.downloads.onDeterminingFilename.addListener((item, suggest) => {
    takeOver(item)
      .then((taken) => {
        if (!taken) suggest();
      })
      .catch((error) => {
        console.warn(`Haul did not take ${item.url}: ${error.message}; the browser keeps it`);
        suggest();
      });
    return true;
  });
} else {
  // Firefox: no waiting point; the download is cancelled once Haul has it.
  chrome.downloads.onCreated.addListener((item) => {
    takeOver(item).catch((error) => console.warn(`Haul did not take ${item.url}: ${error.message}`));
  });
}

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: "haul-link", title: "Download with Haul", contexts: ["link"] });
  chrome.contextMenus.create({ id: "haul-all", title: "Download all links with Haul", contexts: ["page", "selection"] });
});

// The page's links (or the selection's): runs in the page.
function pageLinks(selectionOnly) {
  const selection = window.getSelection();
  const anchors = Array.from(document.querySelectorAll("a[href]"));
  const chosen = selectionOnly && selection && !selection.isCollapsed
    ? anchors.filter((a) => selection.containsNode(a, true))
    : anchors;
  return Array.from(new Set(chosen.map((a) => a.href).filter((h) => /^https?:/i.test(h))));
}

chrome.contextMenus.onClicked.addListener(async (info, tab) => {
  if (info.menuItemId === "haul-link" && info.linkUrl) {
    const download = await describe(info.linkUrl, { referrer: info.pageUrl });
    handOff(download, (await settings()).askWhereToSave).catch((error) => console.warn(`Haul: ${error.message}`));
  } else if (info.menuItemId === "haul-all" && tab && tab.id !== undefined) {
    const [found] = await chrome.scripting.executeScript({
      target: { tabId: tab.id },
      func: pageLinks,
      args: [info.menuItemId === "haul-all" && Boolean(info.selectionText)],
    });
    const links = (found && found.result) || [];
    await chrome.storage.session.set({ pick: { links, page: info.pageUrl || tab.url } });
    chrome.tabs.create({ url: chrome.runtime.getURL("pick.html") });
  }
});

// The popup's and the picker's questions.
chrome.runtime.onMessage.addListener((message, sender, reply) => {
  if (message.keep) {
    keep.set(message.keep, Date.now());
    return false;
  }
  if (message.popup === "status") {
    status().then(reply, (error) => reply({ reachable: false, error: error.message }));
    return true;
  }
  if (message.pick) {
    pickDone(message.pick, message.page).then(reply, (error) => reply({ ok: false, error: error.message }));
    return true;
  }
  return false;
});

// Whether Haul is reachable, which way, and what it is downloading.
async function status() {
  const s = await settings();
  const answer = await toHaul({ command: "status" }, async (s2) => {
    const active = await aria2(s2, "aria2.tellActive", [["gid", "totalLength", "completedLength", "downloadSpeed", "files"]]);
    return {
      downloads: active.map((d) => ({
        name: baseName(d.files && d.files[0] && d.files[0].path) || d.gid,
        bytes_transferred: Number(d.completedLength),
        bytes_total: Number(d.totalLength) || null,
        speed_bps: Number(d.downloadSpeed),
      })),
    };
  });
  return { reachable: true, way: answer.way, downloads: answer.result.downloads || [], enabled: s.enabled };
}

// The links picked from a page: one job.
async function pickDone(links, page) {
  const extra = await describe(page || links[0], { referrer: page });
  const message = { command: "add_links", links, referrer: page, cookies: extra.cookies, user_agent: extra.user_agent };
  const done = await toHaul(message, async (s) => {
    for (const link of links) {
      await aria2(s, "aria2.addUri", [[link], aria2Options({ referrer: page, user_agent: extra.user_agent })]);
    }
    return { files: links.length };
  });
  return { ok: true, way: done.way };
}
