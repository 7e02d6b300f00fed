/* The operators' reports page: reads /api/console/reports with the console's token (sessionStorage)
   and fills the two tables. Every figure comes from the server, which already merged small groups. */
import { byId, make } from "../../../static/js/dom.js";
import { formatDuration, formatNumber, languageName } from "../../../static/js/format.js";
import { api, apiError } from "../../../static/js/http.js";
import { pageLocale } from "../../../static/js/i18n.js";
import { session } from "../../../static/js/storage.js";

const data = JSON.parse(byId("reports-data").textContent);
const strings = data.strings;
const locale = pageLocale();
const form = byId("reports-form");
const status = byId("reports-status");
const result = byId("reports-result");

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function showStatus(text, warn) {
  status.hidden = !text;
  status.textContent = text || "";
  status.classList.toggle("warn", Boolean(warn));
}

function dayLabel(day) {
  const date = new Date(day + "T00:00:00Z");
  try { return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(date); }
  catch (e) { return day; }
}

function figure(seconds) {
  return seconds === null ? "—" : formatDuration(locale, seconds);
}

function rowElement(row, label, isTotal) {
  const tr = make("tr", isTotal ? "reports-total" : "");
  const head = make("th", "", label);
  head.scope = "row";
  tr.append(head);
  for (const count of [row.started, row.answered, row.missed]) tr.append(make("td", "", formatNumber(locale, count)));
  for (const seconds of [row.median_first_response_seconds, row.median_resolution_seconds]) {
    const cell = make("td", "", figure(seconds));
    if (seconds === null) cell.title = strings.notEnough;
    tr.append(cell);
  }
  return tr;
}

function fillTable(id, rows, total, labelOf) {
  const body = byId(id).querySelector("tbody");
  body.replaceChildren(...rows.map((row) => rowElement(row, labelOf(row.label), false)),
    rowElement(total, strings.total, true));
}

function render(report) {
  if (!report.total) {
    result.hidden = true;
    showStatus(strings.tooFew);
    return;
  }
  showStatus("");
  fillTable("reports-by-day", report.by_day, report.total, (label) => label === "other" ? strings.otherDays : dayLabel(label));
  fillTable("reports-by-locale", report.by_locale, report.total,
    (label) => label === "other" ? strings.otherLanguages : languageName(locale, label));
  result.hidden = false;
}

function load(token) {
  const query = new URLSearchParams({ from: byId("reports-from").value, to: byId("reports-to").value });
  showStatus(strings.loading);
  api(data.api + "?" + query, { token }).then((answer) => {
    if (answer.status === 200) render(answer.body);
    else { result.hidden = true; showStatus(apiError(answer, strings.failed), true); }
  });
}

function start() {
  const token = session.get(data.tokenKey);
  if (!token) {
    form.hidden = true;
    showStatus(strings.signInFirst, true);
    return;
  }
  const today = new Date();
  byId("reports-to").value = isoDay(today);
  byId("reports-from").value = isoDay(new Date(today.getTime() - 6 * 86400000));
  form.addEventListener("submit", (event) => { event.preventDefault(); load(token); });
  load(token);
}

start();
