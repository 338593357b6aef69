/* The desk's only script: upload with progress, job polling, filters. No network beyond this desk. */
(function () {
  "use strict";

  function poll(id, onUpdate, onEnd) {
    fetch("/api/jobs/" + encodeURIComponent(id), {headers: {"X-Requested-With": "fetch"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        onUpdate(job);
        if (job.state === "done" || job.state === "failed") { onEnd(job); }
        else { setTimeout(function () { poll(id, onUpdate, onEnd); }, 400); }
      })
      .catch(function () { setTimeout(function () { poll(id, onUpdate, onEnd); }, 1500); });
  }

  function jobBanners() {
    var el = document.getElementById("job");
    if (el && el.dataset.state !== "done" && el.dataset.state !== "failed") {
      poll(el.dataset.job, function (job) { el.textContent = job.text; }, function () { window.location.reload(); });
    }
    var busy = document.getElementById("busy");
    if (busy) { poll(busy.dataset.job, function () {}, function () { busy.hidden = true; }); }
  }

  function bars() {
    document.querySelectorAll("[data-grow]").forEach(function (seg) { seg.style.flexGrow = seg.dataset.grow; });
  }

  function filters() {
    document.querySelectorAll("select.autosubmit").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }

  // ------------------------------------------------------------------ upload
  function readEntry(entry, path, out) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (f) { out.push({file: f, name: path + f.name}); resolve(); }, function () { resolve(); });
      } else if (entry.isDirectory) {
        var reader = entry.createReader(), all = [];
        (function more() {
          reader.readEntries(function (batch) {
            if (!batch.length) {
              Promise.all(all.map(function (e) { return readEntry(e, path + entry.name + "/", out); })).then(resolve);
            } else { all = all.concat(Array.prototype.slice.call(batch)); more(); }
          }, function () { resolve(); });
        })();
      } else { resolve(); }
    });
  }

  function upload() {
    var form = document.getElementById("upload");
    if (!form) { return; }
    var words = document.getElementById("words").dataset, chosen = [];
    var drop = document.getElementById("drop"), send = document.getElementById("send");
    var list = document.getElementById("chosen"), fill = document.getElementById("fill");
    var text = document.getElementById("progress-text"), bar = document.getElementById("progress");
    var error = document.getElementById("upload-error");

    function add(items) {
      items.forEach(function (it) { chosen.push(it); var li = document.createElement("li"); li.textContent = it.name; list.appendChild(li); });
      send.disabled = chosen.length === 0;
    }
    function fromInput(input, relative) {
      input.addEventListener("change", function () {
        add(Array.prototype.map.call(input.files, function (f) { return {file: f, name: (relative && f.webkitRelativePath) || f.name}; }));
        input.value = "";
      });
    }
    fromInput(document.getElementById("files"), false);
    fromInput(document.getElementById("folder"), true);
    ["dragenter", "dragover"].forEach(function (ev) { drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (ev) { drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); }); });
    drop.addEventListener("drop", function (e) {
      var items = e.dataTransfer.items, out = [], waits = [];
      if (items && items.length && items[0].webkitGetAsEntry) {
        for (var i = 0; i < items.length; i++) { var entry = items[i].webkitGetAsEntry(); if (entry) { waits.push(readEntry(entry, "", out)); } }
        Promise.all(waits).then(function () { add(out); });
      } else {
        add(Array.prototype.map.call(e.dataTransfer.files, function (f) { return {file: f, name: f.name}; }));
      }
    });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!chosen.length) { return; }
      var data = new FormData();
      data.append("csrf", form.dataset.csrf);
      chosen.forEach(function (it) { data.append("files", it.file, it.name); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/upload");
      xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
      xhr.setRequestHeader("X-Requested-With", "xhr");
      bar.hidden = false; error.hidden = true; send.disabled = true; text.textContent = words.sending;
      xhr.upload.onprogress = function (ev) { if (ev.lengthComputable) { fill.style.width = Math.round(50 * ev.loaded / ev.total) + "%"; } };
      xhr.onload = function () {
        var reply = {};
        try { reply = JSON.parse(xhr.responseText); } catch (err) { reply = {error: xhr.responseText}; }
        if (xhr.status !== 200) { fail(reply.error || xhr.statusText); return; }
        chosen = []; list.textContent = "";
        poll(reply.job, function (job) {
          text.textContent = job.text;
          var part = job.total ? Math.min(job.done / job.total, 1) : 0;
          var base = job.stage === "validate" ? 80 : 50, span = job.stage === "validate" ? 20 : 30;
          fill.style.width = (job.state === "done" ? 100 : Math.round(base + span * part)) + "%";
        }, function (job) {
          if (job.state === "failed") { fail(job.error); return; }
          window.location.href = "/upload/" + encodeURIComponent(job.id);
        });
      };
      xhr.onerror = function () { fail(words.failed); };
      xhr.send(data);
    });
    function fail(message) { error.textContent = message; error.hidden = false; send.disabled = chosen.length === 0; }
  }

  document.addEventListener("DOMContentLoaded", function () { bars(); filters(); jobBanners(); upload(); });
})();
