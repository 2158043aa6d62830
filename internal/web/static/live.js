// The live monitor: keeps the counts and rows of /supervision/live and
// /supervision/wall current from the server's event stream. Without
// JavaScript the page is the same table as of its loading.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.EventSource) { return; }
  var status = document.querySelector("[data-live-status]");
  var groups = root.querySelector("[data-live-groups] tbody");
  var urgent = root.querySelector("[data-live-urgent] tbody");
  var groupTpl = document.getElementById("live-group-template");
  var urgentTpl = document.getElementById("live-urgent-template");

  function setStatus(s) {
    if (!status) { return; }
    status.textContent = status.getAttribute("data-" + s);
    status.className = "live-status live-" + s;
  }

  function fill(el, obj) {
    var cells = el.querySelectorAll("[data-c]");
    for (var i = 0; i < cells.length; i++) {
      var k = cells[i].getAttribute("data-c");
      if (Object.prototype.hasOwnProperty.call(obj, k)) { cells[i].textContent = String(obj[k]); }
    }
  }

  function clone(tpl) { return tpl.content.firstElementChild.cloneNode(true); }

  function dropEmpty(tbody) {
    var e = tbody.querySelector("tr.live-empty");
    if (e) { e.parentNode.removeChild(e); }
  }

  function upsertGroup(g) {
    var tr = null, rows = groups.querySelectorAll("tr[data-key]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-key") === g.key) { tr = rows[i]; break; }
    }
    if (!tr) {
      tr = clone(groupTpl);
      tr.setAttribute("data-key", g.key);
      tr.setAttribute("data-sort", g.sort);
      var before = null;
      for (var j = 0; j < rows.length; j++) {
        if (rows[j].getAttribute("data-sort") > g.sort) { before = rows[j]; break; }
      }
      dropEmpty(groups);
      groups.insertBefore(tr, before);
    }
    fill(tr, g);
    var a = tr.querySelector("a[data-c=name]");
    if (a) { a.setAttribute("href", g.href); }
    tr.className = g.red > 0 ? "has-red" : "";
    tr.classList.add("changed");
    setTimeout(function () { tr.classList.remove("changed"); }, 1500);
  }

  function removeGroup(key) {
    var rows = groups.querySelectorAll("tr[data-key]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-key") === key) { rows[i].parentNode.removeChild(rows[i]); }
    }
  }

  function setUrgent(list) {
    while (urgent.firstChild) { urgent.removeChild(urgent.firstChild); }
    for (var i = 0; i < list.length; i++) {
      var r = list[i], tr = clone(urgentTpl);
      tr.setAttribute("data-no", r.no);
      fill(tr, {light: r.light_text, no: r.no, item: r.item, applicant: r.applicant, department: r.department, state_text: r.state_text, due: r.due});
      tr.querySelector("[data-c=light]").className = "light light-" + r.light;
      tr.querySelector("a[data-c=no]").setAttribute("href", r.href);
      var order = tr.querySelector("a[data-order]");
      if (order) { order.setAttribute("href", order.getAttribute("data-href") + encodeURIComponent(r.no)); }
      urgent.appendChild(tr);
    }
  }

  function apply(v) {
    var k;
    for (k in v.totals) {
      if (Object.prototype.hasOwnProperty.call(v.totals, k)) {
        var el = root.querySelector("[data-total=" + k + "]");
        if (el) { el.textContent = String(v.totals[k]); }
      }
    }
    var at = root.querySelector("[data-live-at]");
    if (at) { at.textContent = v.at; }
    if (groups && groupTpl) {
      if (v.full) {
        var keep = {};
        for (k = 0; k < v.groups.length; k++) { keep[v.groups[k].key] = true; }
        var rows = groups.querySelectorAll("tr[data-key]");
        for (k = 0; k < rows.length; k++) {
          if (!keep[rows[k].getAttribute("data-key")]) { rows[k].parentNode.removeChild(rows[k]); }
        }
      }
      for (k = 0; k < v.groups.length; k++) { upsertGroup(v.groups[k]); }
      for (k = 0; v.removed && k < v.removed.length; k++) { removeGroup(v.removed[k]); }
    }
    if (urgent && urgentTpl && v.urgent_changed && v.urgent) { setUrgent(v.urgent); }
    root.setAttribute("data-live-updated", v.at);
  }

  var failures = 0;
  function connect() {
    var es = new EventSource(root.getAttribute("data-live"));
    es.onopen = function () { failures = 0; setStatus("live"); };
    es.addEventListener("board", function (e) { apply(JSON.parse(e.data)); });
    es.onerror = function () {
      setStatus("reconnecting");
      if (es.readyState === EventSource.CLOSED) {
        // Refused (signed out, or the server said no): the browser gives
        // up; try again a little later, then reload (the sign-in page).
        es.close();
        failures++;
        if (failures > 3) { setTimeout(function () { location.reload(); }, 30000); return; }
        setTimeout(connect, 5000 * failures);
      }
    };
  }
  connect();

  var clock = document.querySelector("[data-wall-clock]");
  if (clock) {
    var fmt = function () {
      try {
        clock.textContent = new Date().toLocaleString(document.documentElement.lang || "zh-CN", {timeZone: "Asia/Shanghai", year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false});
      } catch (err) { clock.textContent = new Date().toLocaleString(); }
    };
    fmt();
    setInterval(fmt, 1000);
  }
})();
