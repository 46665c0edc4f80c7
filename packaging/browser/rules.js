// Which downloads Haul takes over, and what it sends: pure functions, shared
// by the background script and the tests (node --test packaging/browser/test).
"use strict";

const DEFAULT_SETTINGS = {
  // Take over downloads at all (the popup's switch).
  enabled: true,
  // At least this many megabytes (decimal), or one of `types`.
  minSizeMB: 1,
  types: "zip rar 7z tar gz bz2 xz zst iso img dmg exe msi deb rpm appimage apk pdf epub mp4 mkv avi mov webm mp3 flac m4a ogg wav",
  // Sites whose downloads stay in the browser, e.g. "example.com intranet.local".
  keepSites: "",
  // Open Haul's add dialog (folder, name) instead of queueing at once.
  askWhereToSave: false,
  // How long Haul may take to confirm before the browser keeps the download (s).
  handoffTimeoutS: 5,
  // The aria2 RPC fallback (Flatpak/Snap browsers, or no native host): Haul's endpoint and your secret.
  rpcUrl: "http://127.0.0.1:6800/jsonrpc",
  rpcSecret: "",
};

// The words of a list setting ("zip, .ISO mp4" → ["zip", "iso", "mp4"]).
function words(list) {
  return String(list || "")
    .split(/[\s,;]+/)
    .map((w) => w.trim().replace(/^\./, "").toLowerCase())
    .filter((w) => w.length > 0);
}

// The last part of a path or URL path, without query or fragment.
function baseName(path) {
  const clean = String(path || "").split(/[?#]/)[0];
  const parts = clean.split(/[\\/]/).filter((p) => p.length > 0);
  return parts.length ? parts[parts.length - 1] : "";
}

function extensionOf(name) {
  const base = baseName(name);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
}

function hostOf(url) {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch (_) {
    return "";
  }
}

// Whether `host` is one of `sites` or below one.
function onSite(host, sites) {
  return host !== "" && sites.some((site) => host === site || host.endsWith("." + site));
}

// Whether Haul takes this browser download: never blob:/data:/file: or a kept
// site, never while switched off; else ≥ minSizeMB or a listed type.
// `item` is a downloads.DownloadItem (url, finalUrl, referrer, filename, mime, totalBytes/fileSize).
function shouldTake(item, settings) {
  const s = Object.assign({}, DEFAULT_SETTINGS, settings || {});
  if (!s.enabled) return { take: false, why: "taking over is off" };
  const url = item.finalUrl || item.url || "";
  if (!/^https?:\/\//i.test(url)) return { take: false, why: "not an http(s) link" };
  const kept = words(s.keepSites);
  if (onSite(hostOf(url), kept) || onSite(hostOf(item.referrer), kept)) {
    return { take: false, why: "a site kept in the browser" };
  }
  const size = Math.max(Number(item.totalBytes) || 0, Number(item.fileSize) || 0);
  if (size >= Number(s.minSizeMB) * 1e6 && size > 0) return { take: true, why: "size" };
  const type = extensionOf(item.filename) || extensionOf(url);
  if (type && words(s.types).includes(type)) return { take: true, why: "type" };
  return { take: false, why: "small, and not a listed type" };
}

// A Cookie header value from cookies.getAll's answer.
function cookieHeader(cookies) {
  return (cookies || []).map((c) => `${c.name}=${c.value}`).join("; ");
}

// The file name to give Haul: the browser's choice, else the URL's.
function fileName(item) {
  return baseName(item.filename) || baseName(item.finalUrl || item.url) || "";
}

// aria2's addUri options for a download (the RPC fallback).
function aria2Options(download) {
  const header = [];
  if (download.cookies) header.push(`Cookie: ${download.cookies}`);
  const options = { header };
  if (download.referrer) options.referer = download.referrer;
  if (download.user_agent) options["user-agent"] = download.user_agent;
  if (download.filename) options.out = download.filename;
  return options;
}

if (typeof module !== "undefined") {
  module.exports = { DEFAULT_SETTINGS, words, baseName, extensionOf, shouldTake, cookieHeader, fileName, aria2Options };
}
