/* dutycheck 审查工作台: the little script the pages need. Every page works without it
   (plain forms and links); this adds drag-and-drop upload, live progress and keyboard keys.
   Text from the server is only ever set as textContent or replaced by server-rendered,
   escaped HTML fragments. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var csrf = document.body.getAttribute("data-csrf");

  function $(sel, root) { return (root || document).querySelector(sel); }

  // ---- upload: drag-and-drop of files, folders or a .zip; the file chooser uploads at once
  var form = $("#upload-form");
  if (form) {
    var zone = $("#dropzone"), input = $("#file-input"), status = $("#upload-status");
    var send = function (entries) {
      if (!entries.length) return;
      var fd = new FormData();
      entries.forEach(function (e) { fd.append("files", e.file, e.name); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable) status.textContent = "正在上传 " + entries.length + " 个文件… " + Math.round(ev.loaded * 100 / ev.total) + "%";
      };
      xhr.onload = function () {
        var r = {};
        try { r = JSON.parse(xhr.responseText); } catch (e) { r = {}; }
        if (xhr.status === 200) {
          status.textContent = "已加入 " + r.queued + " 份报告" + (r.rejected ? "，" + r.rejected + " 个文件未接收（原因见下表）" : "") + (r.duplicates ? "，" + r.duplicates + " 份与已有报告相同" : "");
          poll(true);
        } else {
          status.textContent = "上传失败：" + (r.error || xhr.status);
        }
      };
      xhr.onerror = function () { status.textContent = "上传失败：无法连接到服务"; };
      status.textContent = "正在上传 " + entries.length + " 个文件…";
      xhr.send(fd);
    };
    input.addEventListener("change", function () {
      send(Array.prototype.map.call(input.files, function (f) { return { file: f, name: f.name }; }));
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.add("over"); });
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (ev) {
      ev.preventDefault();
      zone.classList.remove("over");
      var items = ev.dataTransfer.items, out = [], pending = 0;
      var done = function () { if (pending === 0) send(out); };
      var walk = function (entry, prefix) {
        pending++;
        if (entry.isFile) {
          entry.file(function (f) { out.push({ file: f, name: prefix + f.name }); pending--; done(); },
                     function () { pending--; done(); });
        } else if (entry.isDirectory) {
          var reader = entry.createReader(), read = function () {
            reader.readEntries(function (list) {
              if (!list.length) { pending--; done(); return; }
              list.forEach(function (e) { walk(e, prefix + entry.name + "/"); });
              read();
            }, function () { pending--; done(); });
          };
          read();
        } else { pending--; }
      };
      if (items && items.length && items[0].webkitGetAsEntry) {
        Array.prototype.forEach.call(items, function (it) {
          var e = it.webkitGetAsEntry();
          if (e) walk(e, "");
        });
        if (pending === 0) done();
      } else {
        send(Array.prototype.map.call(ev.dataTransfer.files, function (f) { return { file: f, name: f.name }; }));
      }
    });
  }

  // ---- live progress: counts every second, the file table when something finished
  var panel = $("#progress-panel"), timer = null, last = null;
  function poll(force) {
    if (!panel) return;
    fetch(panel.getAttribute("data-progress-url"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        var bar = $("#progress-bar");
        bar.max = p.to_audit || 1; bar.value = p.finished;
        $("#progress-text").textContent = "已审查 " + p.done + "，失败 " + p.failed + "，待审查 " + p.queued +
          (p.rejected ? "，未接收 " + p.rejected : "") + (p.duplicate ? "，重复 " + p.duplicate : "");
        var st = $("#progress-state");
        st.className = p.auditing ? "running" : "idle";
        st.textContent = p.auditing ? "审查中…" : (p.total ? "全部完成" : "");
        var key = [p.total, p.finished, p.queued].join(",");
        if (force || key !== last) {
          last = key;
          fetch(panel.getAttribute("data-files-url")).then(function (r) { return r.text(); })
            .then(function (html) { $("#files").innerHTML = html; });
        }
        clearTimeout(timer);
        if (p.auditing) timer = setTimeout(poll, 1000);
      })
      .catch(function () { clearTimeout(timer); timer = setTimeout(poll, 3000); });
  }
  if (panel) { last = null; poll(false); }

  // ---- report page: keys to step through the duties and reports
  var duties = Array.prototype.slice.call(document.querySelectorAll(".duty"));
  if (duties.length) {
    var cur = -1;
    var select = function (i, scroll) {
      if (i < 0 || i >= duties.length) return;
      if (cur >= 0) duties[cur].classList.remove("current");
      cur = i;
      duties[i].classList.add("current");
      duties[i].focus({ preventScroll: !scroll });
      if (scroll) duties[i].scrollIntoView({ block: "nearest" });
      var pos = $("#queue-pos");
      if (pos) pos.textContent = String(i + 1);
    };
    var jump = function (d) {
      var a = d.querySelector("a.jump");
      if (a) {
        var t = document.getElementById(a.getAttribute("href").slice(1));
        if (t) {
          Array.prototype.forEach.call(document.querySelectorAll(".flash-target"), function (x) { x.classList.remove("flash-target"); });
          t.classList.add("flash-target");
          t.scrollIntoView({ block: "center" });
          history.replaceState(null, "", "#" + d.id);
        }
      }
    };
    duties.forEach(function (d, i) { d.addEventListener("click", function (ev) { if (!ev.target.closest("a,button,select,input,textarea,label")) { select(i, false); jump(d); } }); });
    Array.prototype.forEach.call(document.querySelectorAll("a.jump"), function (a) {
      a.addEventListener("click", function (ev) { ev.preventDefault(); jump(a.closest(".duty")); });
    });
    // a status chosen is saved at once (the form posts; the page comes back at this duty)
    Array.prototype.forEach.call(document.querySelectorAll("form.correct input[name=status]"), function (r) {
      r.addEventListener("change", function () { r.form.requestSubmit(); });
    });
    var m = /^#item-(.+)$/.exec(location.hash);
    if (m) { var el = document.getElementById("item-" + decodeURIComponent(m[1])); if (el) select(duties.indexOf(el), true); }
    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.closest("input,textarea,select")) return;
      var d = duties[cur];
      if (ev.key === "j") { select(cur + 1, true); ev.preventDefault(); }
      else if (ev.key === "k") { select(Math.max(cur - 1, 0), true); ev.preventDefault(); }
      else if (ev.key === "Enter" && d) { jump(d); ev.preventDefault(); }
      else if (ev.key === "]") { var n = $("#next-report"); if (n) location.href = n.href; }
      else if (ev.key === "[") { var p = $("#prev-report"); if (p) location.href = p.href; }
      else if (/^[1-5]$/.test(ev.key) && d) {
        var radio = d.querySelectorAll("input[name=status]")[parseInt(ev.key, 10) - 1];
        if (radio) { radio.checked = true; radio.form.requestSubmit(); ev.preventDefault(); }
      }
      else if (ev.key === "y" && d) {   // the machine is right: confirm its status (leaves the queue)
        var f = d.querySelector("form.correct");
        if (f) { f.requestSubmit(); ev.preventDefault(); }
      }
      else if (ev.key === "n") { var q = $("#queue-next"); if (q) location.href = q.href; }
    });
  }
})();
