// "Download all links with Haul": the page's links to pick from; the chosen
// ones go to Haul as one job.
"use strict";
let page = "";

function boxes() {
  return Array.from(document.querySelectorAll("#links input[type=checkbox]"));
}

async function load() {
  const { pick } = await chrome.storage.session.get("pick");
  const list = document.getElementById("links");
  page = (pick && pick.page) || "";
  for (const link of (pick && pick.links) || []) {
    const item = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = /\.(zip|rar|7z|gz|xz|iso|exe|msi|deb|rpm|dmg|apk|pdf|mp4|mkv|webm|mp3|flac)(\?|$)/i.test(link);
    box.value = link;
    label.append(box, " " + link);
    item.append(label);
    list.append(item);
  }
}

document.getElementById("filter").addEventListener("input", (event) => {
  const text = event.target.value.toLowerCase();
  for (const box of boxes()) box.closest("li").hidden = text !== "" && !box.value.toLowerCase().includes(text);
});
document.getElementById("all").addEventListener("click", () => boxes().forEach((b) => (b.checked = !b.closest("li").hidden)));
document.getElementById("none").addEventListener("click", () => boxes().forEach((b) => (b.checked = false)));
document.getElementById("download").addEventListener("click", async () => {
  const links = boxes().filter((b) => b.checked && !b.closest("li").hidden).map((b) => b.value);
  const said = document.getElementById("said");
  if (links.length === 0) {
    said.textContent = "Select at least one link.";
    return;
  }
  const answer = await chrome.runtime.sendMessage({ pick: links, page });
  said.textContent = answer.ok ? `Haul has ${links.length} link(s).` : `Haul did not take them: ${answer.error}`;
});

load();
