// Returns demo: log in, list returnable items, create a return, list returns.
// Everything goes through ONE base URL: the default below, `?api=URL` in the page URL,
// or whatever is typed into the "API base URL" field before logging in.
"use strict";

const DEFAULT_API = "http://127.0.0.1:8080/glue";
const JSONAPI = "application/vnd.api+json";
const RETURN_REASON = "Damaged";
const STORE = "DE";

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
let token = null;

function apiBase() {
  return $("api-base").value.trim().replace(/\/+$/, "");
}

// One Glue call; resolves to the parsed JSON:API document or throws with `errors[0].detail`.
async function glue(path, { method = "GET", body } = {}) {
  const headers = { Accept: JSONAPI };
  if (body !== undefined) headers["Content-Type"] = JSONAPI;
  if (token) headers.Authorization = `Bearer ${token}`;
  const url = apiBase() + path;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new Error(`Cannot reach ${url} (network or CORS error: ${err.message})`);
  }
  const text = await response.text();
  let doc = null;
  try {
    doc = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: fall through to the status line below
  }
  if (!response.ok) {
    const detail = doc?.errors?.[0]?.detail;
    throw new Error(detail || `${method} ${path} failed: HTTP ${response.status}`);
  }
  return doc;
}

function money(cents, currency = "EUR") {
  return new Intl.NumberFormat("de-DE", { style: "currency", currency }).format(cents / 100);
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function setStatus(testid, text) {
  $(testid).textContent = text;
}

async function login(event) {
  event.preventDefault();
  showError("");
  const button = $("login-button");
  button.disabled = true;
  token = null;
  updateCreateButton();
  const username = $("username").value.trim();
  const status = $("login-status");
  try {
    const doc = await glue("/access-tokens", {
      method: "POST",
      body: {
        data: {
          type: "access-tokens",
          attributes: { username, password: $("password").value },
        },
      },
    });
    token = doc.data.attributes.accessToken;
    status.textContent = `Logged in as ${username}.`;
    status.className = "ok";
  } catch (err) {
    status.textContent = "Not logged in.";
    status.className = "muted";
    showError(err.message);
    return;
  } finally {
    button.disabled = false;
  }
  await refresh();
}

async function refresh() {
  const failed = (statusId, text) => (err) => {
    setStatus(statusId, text);
    showError(err.message);
  };
  await Promise.all([
    loadItems().catch(failed("items-status", "Could not load returnable items.")),
    loadReturns().catch(failed("returns-status", "Could not load returns.")),
  ]);
}

async function loadItems() {
  setStatus("items-status", "Loading orders…");
  const orders = (await glue("/orders")).data;
  const details = await Promise.all(
    orders.map((order) => glue(`/orders/${encodeURIComponent(order.id)}`)),
  );
  const tbody = $("returnable-items");
  tbody.replaceChildren();
  let count = 0;
  for (const { data: order } of details) {
    const currency = order.attributes.currencyIsoCode || "EUR";
    for (const item of order.attributes.items) {
      if (!item.isReturnable) continue;
      count += 1;
      const row = tbody.insertRow();
      row.dataset.testid = "returnable-item";
      row.dataset.uuid = item.uuid;
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = item.uuid;
      box.dataset.testid = "item-checkbox";
      box.setAttribute("aria-label", `Return ${item.name}`);
      box.addEventListener("change", updateCreateButton);
      row.insertCell().append(box);
      cell(row, item.quantity > 1 ? `${item.quantity} × ${item.name}` : item.name);
      cell(row, item.sku).dataset.testid = "item-sku";
      cell(row, order.id);
      cell(row, money(item.sumPriceToPayAggregation, currency), "money").dataset.testid =
        "item-price";
    }
  }
  setStatus("items-status", count ? `${count} returnable item(s).` : "No returnable items.");
  updateCreateButton();
}

async function loadReturns() {
  setStatus("returns-status", "Loading returns…");
  const returns = (await glue("/returns")).data;
  const tbody = $("returns-list");
  tbody.replaceChildren();
  for (const ret of returns) {
    const row = tbody.insertRow();
    row.dataset.testid = "return-row";
    cell(row, ret.attributes.returnReference).dataset.testid = "return-reference";
    cell(row, money(ret.attributes.returnTotals.remunerationTotal), "money").dataset.testid =
      "return-remuneration";
  }
  setStatus("returns-status", returns.length ? `${returns.length} return(s).` : "No returns yet.");
}

function selectedUuids() {
  return [...document.querySelectorAll('[data-testid="item-checkbox"]:checked')].map(
    (box) => box.value,
  );
}

function updateCreateButton() {
  $("create-return-button").disabled = !token || selectedUuids().length === 0;
}

async function createReturn() {
  showError("");
  const status = $("create-status");
  status.hidden = true;
  $("create-return-button").disabled = true;
  try {
    const doc = await glue("/returns", {
      method: "POST",
      body: {
        data: {
          type: "returns",
          attributes: {
            store: STORE,
            returnItems: selectedUuids().map((uuid) => ({
              salesOrderItemUuid: uuid,
              reason: RETURN_REASON,
            })),
          },
        },
      },
    });
    status.textContent = `Created return ${doc.data.attributes.returnReference}.`;
    status.hidden = false;
  } catch (err) {
    showError(err.message);
    updateCreateButton();
    return;
  }
  await refresh();
}

$("api-base").value = new URLSearchParams(location.search).get("api") || DEFAULT_API;
document.getElementById("login-form").addEventListener("submit", login);
$("create-return-button").addEventListener("click", createReturn);
