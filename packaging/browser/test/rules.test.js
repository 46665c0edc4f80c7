// The take-over rules: node --test packaging/browser/test
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const rules = require("../rules.js");

test("big files and listed types are taken, others stay in the browser", () => {
  const big = { url: "https://e.example/x", totalBytes: 5e6, filename: "/d/x" };
  assert.equal(rules.shouldTake(big, {}).take, true);
  const iso = { url: "https://e.example/a.iso", totalBytes: 10, filename: "/d/a.iso" };
  assert.equal(rules.shouldTake(iso, {}).take, true);
  const page = { url: "https://e.example/a.html", totalBytes: 2000, filename: "/d/a.html" };
  assert.equal(rules.shouldTake(page, {}).take, false);
  const unknown = { url: "https://e.example/get", totalBytes: 0, filename: "" };
  assert.equal(rules.shouldTake(unknown, {}).take, false);
});

test("blob, data and kept sites are never taken; the switch turns it all off", () => {
  for (const url of ["blob:https://e.example/1", "data:text/plain,x", "file:///etc/passwd", "ftp://e.example/a.iso"]) {
    assert.equal(rules.shouldTake({ url, totalBytes: 9e9 }, {}).take, false, url);
  }
  const item = { url: "https://dl.intranet.example/a.iso", totalBytes: 9e9 };
  assert.equal(rules.shouldTake(item, { keepSites: "intranet.example" }).take, false);
  assert.equal(rules.shouldTake(item, { keepSites: "other.example" }).take, true);
  const viaPage = { url: "https://cdn.example/a.iso", referrer: "https://www.bank.example/", totalBytes: 9e9 };
  assert.equal(rules.shouldTake(viaPage, { keepSites: "bank.example" }).take, false);
  assert.equal(rules.shouldTake(item, { enabled: false }).take, false);
  assert.equal(rules.shouldTake({ url: "https://e.example/a.bin", totalBytes: 2e6 }, { minSizeMB: 5 }).take, false);
});

test("what is sent: cookies as one header, the name, aria2's options", () => {
  assert.equal(rules.cookieHeader([{ name: "a", value: "1" }, { name: "b", value: "2" }]), "a=1; b=2");
  assert.equal(rules.fileName({ filename: "/home/u/Downloads/r.pdf", url: "https://e.example/x" }), "r.pdf");
  assert.equal(rules.fileName({ filename: "", url: "https://e.example/f/v.mp4?t=1" }), "v.mp4");
  assert.deepEqual(rules.words(" .ISO, zip;mp4 "), ["iso", "zip", "mp4"]);
  const options = rules.aria2Options({ cookies: "a=1", referrer: "https://e.example/", user_agent: "UA", filename: "v.mp4" });
  assert.deepEqual(options, { header: ["Cookie: a=1"], referer: "https://e.example/", "user-agent": "UA", out: "v.mp4" });
});
