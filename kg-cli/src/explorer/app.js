// The explorer page: name suggestions, the path drawing, node cards. Talks to /api/* only.
"use strict";

const $ = (id) => document.getElementById(id);

async function api(path, params) {
  const query = new URLSearchParams(params);
  const response = await fetch(`/api/${path}?${query}`);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function showError(e) {
  $("error").textContent = e ? String(e.message || e) : "";
}

// Suggestions under an input: prefix matches first, fuzzy ones when none.
function suggest(input, list) {
  let timer = null;
  input.addEventListener("input", () => {
    delete input.dataset.node;
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2) { list.replaceChildren(); return; }
    timer = setTimeout(async () => {
      try {
        let { hits } = await api("search", { q: text, how: "prefix", limit: 8 });
        if (hits.length === 0) ({ hits } = await api("search", { q: text, how: "fuzzy", limit: 8 }));
        const items = [];
        for (const hit of hits) {
          for (const node of hit.nodes) {
            const li = document.createElement("li");
            li.className = "suggestion";
            li.dataset.node = node.index;
            li.innerHTML = "";
            li.append(node.name, " ");
            const small = document.createElement("small");
            small.textContent = `${node.type} · ${node.id}`;
            li.append(small);
            li.addEventListener("click", () => {
              input.value = node.name;
              input.dataset.node = node.index;
              list.replaceChildren();
            });
            items.push(li);
          }
        }
        list.replaceChildren(...items);
      } catch (e) { showError(e); }
    }, 150);
  });
}

async function showNode(key) {
  try {
    const node = await api("node", { node: key, tokens: 250 });
    $("card-title").textContent = `${node.name} (${node.type})`;
    $("card").textContent = node.card.text;
    document.body.dataset.card = node.index;
  } catch (e) { showError(e); }
}

async function draw() {
  showError(null);
  const medreason = $("medreason").checked;
  const end = (input) => (!medreason && input.dataset.node) || input.value.trim();
  const params = { from: end($("from")), to: end($("to")), kind: $("kind").value, n: $("n").value, medreason: medreason ? "1" : "0" };
  if (medreason && params.kind === "k") params.kind = "all";
  try {
    const result = await api("paths", params);
    $("caption").textContent = result.caption;
    $("picture").innerHTML = result.svg;
    $("prompt").textContent = result.prompt;
    for (const g of $("picture").querySelectorAll(".kg-node")) {
      g.addEventListener("click", () => showNode(g.dataset.key));
    }
    document.body.dataset.drawn = `${result.nodes}:${result.edges}`;
  } catch (e) {
    $("picture").replaceChildren();
    showError(e);
  }
}

suggest($("from"), $("from-list"));
suggest($("to"), $("to-list"));
$("draw").addEventListener("click", draw);
$("copy").addEventListener("click", async () => {
  const text = $("prompt").textContent;
  try {
    await navigator.clipboard.writeText(text);
    $("copied").textContent = "copied";
  } catch (e) {
    const range = document.createRange();
    range.selectNodeContents($("prompt"));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    $("copied").textContent = "selected: press Ctrl-C";
  }
});
