// The toolbar popup: whether Haul is reachable and which way, its downloads,
// the switch, the rules and the pairing.
"use strict";
const fields = ["minSizeMB", "types", "keepSites", "rpcUrl", "rpcSecret"];

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function load() {
  const s = await chrome.storage.local.get(DEFAULT_SETTINGS);
  document.getElementById("enabled").checked = s.enabled;
  document.getElementById("askWhereToSave").checked = s.askWhereToSave;
  for (const name of fields) document.getElementById(name).value = s[name];
  const state = document.getElementById("state");
  const answer = await chrome.runtime.sendMessage({ popup: "status" });
  if (!answer.reachable) {
    state.className = "bad";
    state.textContent = `Haul is not reachable: ${answer.error}. Run "haul browser install", or pair below.`;
    return;
  }
  state.className = "good";
  state.textContent = answer.way === "native" ? "Connected to Haul (native messaging)" : "Connected to Haul (aria2 RPC)";
  const list = document.getElementById("downloads");
  list.textContent = "";
  for (const d of answer.downloads) {
    const row = document.createElement("div");
    row.className = "row";
    const label = document.createElement("div");
    label.textContent = `${d.name} — ${megabytes(d.bytes_transferred)}${d.bytes_total ? " of " + megabytes(d.bytes_total) : ""}`;
    const bar = document.createElement("progress");
    if (d.bytes_total) {
      bar.max = d.bytes_total;
      bar.value = d.bytes_transferred;
    }
    row.append(label, bar);
    list.append(row);
  }
}

document.getElementById("enabled").addEventListener("change", (event) => {
  chrome.storage.local.set({ enabled: event.target.checked });
});
document.getElementById("askWhereToSave").addEventListener("change", (event) => {
  chrome.storage.local.set({ askWhereToSave: event.target.checked });
});

document.getElementById("save").addEventListener("click", async () => {
  const values = {};
  for (const name of fields) values[name] = document.getElementById(name).value;
  values.minSizeMB = Number(values.minSizeMB) || 0;
  await chrome.storage.local.set(values);
  load();
});

load();
