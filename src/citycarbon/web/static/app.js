// citycarbon pages: draw the Plotly charts a page embeds, and run the upload form.
"use strict";

function drawCharts() {
  if (typeof Plotly === "undefined") { return; }
  document.querySelectorAll("script[data-chart]").forEach(function (node) {
    var spec = JSON.parse(node.textContent);
    var target = document.getElementById(node.dataset.chart);
    spec.layout.autosize = true;
    Plotly.newPlot(target, spec.data, spec.layout, { responsive: true, displaylogo: false });
  });
}

function showProblems(problems) {
  var table = document.getElementById("upload-errors");
  var body = table.querySelector("tbody");
  body.textContent = "";
  problems.forEach(function (p) {
    var row = body.insertRow();
    [p.row === null ? "" : String(p.row), p.column || "", p.message].forEach(function (text) {
      row.insertCell().textContent = text;
    });
  });
  table.hidden = problems.length === 0;
}

function finish(job, status) {
  if (job.state === "succeeded") {
    status.textContent = status.dataset.done
      .replace("{written}", job.written_count).replace("{skipped}", job.skipped_count);
    showProblems([]);
  } else {
    status.textContent = status.dataset.failed + (job.problems.length ? "" : " " + (job.error_message || ""));
    showProblems(job.problems);
  }
}

function poll(jobId, locale, status, bar) {
  fetch("/api/v1/imports/" + jobId, { headers: { "Accept-Language": locale } })
    .then(function (r) { return r.json(); })
    .then(function (job) {
      bar.value = job.progress_percent;
      if (job.state === "succeeded" || job.state === "failed") { finish(job, status); return; }
      setTimeout(function () { poll(jobId, locale, status, bar); }, 400);
    });
}

function setUpUpload() {
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var locale = form.dataset.locale;
    var status = document.getElementById("upload-status");
    var bar = document.getElementById("upload-progress");
    bar.hidden = false;
    bar.value = 0;
    status.textContent = status.dataset.running;
    showProblems([]);
    fetch("/api/v1/imports", { method: "POST", body: new FormData(form), headers: { "Accept-Language": locale } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (answer) {
        if (answer.ok) { poll(answer.body.job_id, locale, status, bar); return; }
        bar.value = 100;
        status.textContent = status.dataset.failed + " " + (answer.body.detail || answer.body.title || "");
        showProblems(answer.body.problems || []);
      });
  });
}

// The entry form works without script; with it, a button adds empty rows by copying the last one.
function setUpEntry() {
  var button = document.getElementById("entry-add-row");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var body = document.querySelector("#entry-rows tbody");
    var row = body.lastElementChild.cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    row.querySelector("td.error").textContent = "";
    body.appendChild(row);
  });
}

document.addEventListener("DOMContentLoaded", function () { drawCharts(); setUpUpload(); setUpEntry(); });
