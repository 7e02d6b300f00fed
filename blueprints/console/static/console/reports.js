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

function average(stars) {
  return stars === null ? "—" : formatNumber(locale, stars, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/* Each figure cell carries its column's name, which narrow screens show beside it (reports.css). */
function rowElement(row, label, isTotal, columns) {
  const tr = make("tr", isTotal ? "reports-total" : "");
  const head = make("th", "", label);
  head.scope = "row";
  tr.append(head);
  const count = (n) => [formatNumber(locale, n), ""];
  const median = (s) => [figure(s), s === null ? strings.notEnough : ""];
  const cells = [count(row.started), count(row.answered), count(row.missed), median(row.median_first_response_seconds),
    median(row.median_resolution_seconds), count(row.rated),
    [average(row.average_rating), row.average_rating === null ? strings.notEnoughRatings : ""]];
  cells.forEach(([text, missing], index) => {
    const cell = make("td", "", text);
    cell.dataset.label = columns[index];
    if (missing) cell.title = missing;
    tr.append(cell);
  });
  return tr;
}

function fillTable(id, rows, total, labelOf) {
  const table = byId(id);
  const columns = Array.from(table.querySelectorAll("thead th")).slice(1).map((th) => th.textContent);
  table.querySelector("tbody").replaceChildren(...rows.map((row) => rowElement(row, labelOf(row.label), false, columns)),
    rowElement(total, strings.total, true, columns));
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
